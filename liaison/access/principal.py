"""The authenticated caller of every read and write: user, organisation, role and audiences."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.access.actions import REFUSALS, ROLES, Action, Role
from liaison.errors import Forbidden

__all__ = ["Action", "Principal", "Role", "system_principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Whoever acts. `audience_ids` are the audiences whose holdings the principal may read."""

    user_id: int | None
    user_name: str
    org_id: int | None
    org_name: str
    org_identity_id: str | None
    role: Role
    audience_ids: frozenset[int]
    org_audience_id: int | None
    #: The organisation stands for a partner instance (its sync account acts through it).
    is_partner: bool = False
    #: What the API token used allows ('read', 'write', 'sync'); None for web sessions and the CLI.
    token_scope: str | None = None

    @property
    def is_system(self) -> bool:
        """The instance itself, acting for no organisation (maintenance jobs)."""
        return self.user_id is None and self.org_id is None

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR and not self.is_system

    def may(self, action: Action | str) -> bool:
        """Whether the principal's role may do `action` (access.actions); the instance itself may
        do anything."""
        return self.is_system or self.role in ROLES[Action(action)]

    def require(self, action: Action) -> None:
        """Raise Forbidden unless the principal may do `action`."""
        if not self.may(action):
            raise Forbidden(REFUSALS[action].format(role=self.role))


def system_principal(audience_ids: frozenset[int]) -> Principal:
    """The explicit principal of system jobs (migrations, maintenance): it reads `audience_ids`."""
    return Principal(
        user_id=None,
        user_name="system",
        org_id=None,
        org_name="system",
        org_identity_id=None,
        role=Role.ADMIN,
        audience_ids=audience_ids,
        org_audience_id=None,
    )
