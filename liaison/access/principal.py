"""The authenticated caller of every read and write: user, organisation, role and audiences."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from liaison.errors import Forbidden


class Role(StrEnum):
    """User roles. Operators run the instance (organisations, partners, keys) and belong to no
    organisation, so they read no intelligence; admins manage their own organisation's users and
    tokens; analysts read and write; readers read; sync accounts are partner instances exchanging
    data."""

    OPERATOR = "operator"
    ADMIN = "admin"
    ANALYST = "analyst"
    READER = "reader"
    SYNC = "sync"


WRITER_ROLES = frozenset({Role.ADMIN, Role.ANALYST, Role.SYNC})


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

    def require_writer(self) -> None:
        """Raise Forbidden unless the principal may add intelligence."""
        if not self.is_system and self.role not in WRITER_ROLES:
            raise Forbidden(f"role '{self.role}' cannot write; analyst, admin or sync is needed")

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR and not self.is_system

    def require_operator(self) -> None:
        """Raise Forbidden unless the principal runs the instance (an operator, or the host)."""
        if not self.is_system and self.role != Role.OPERATOR:
            raise Forbidden("this needs the operator role")

    def require_administrator(self) -> None:
        """Raise Forbidden unless the principal administers something: its organisation (admin)
        or the instance (operator). Each administrative action then checks what it reaches."""
        if not self.is_system and self.role not in (Role.ADMIN, Role.OPERATOR):
            raise Forbidden("this needs the admin or operator role")


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
