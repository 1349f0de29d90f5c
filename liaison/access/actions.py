"""Roles and named permissions: which roles may do what, in one table. Services call
`principal.require(Action.X)`; templates and adapters ask `principal.may(Action.X)` to show or hide
a control, never to decide. Visibility (what a principal may read) is not here: it is the
predicates' (access.predicate), and an operator, in no audience, reads nothing through them."""

from __future__ import annotations

from enum import StrEnum


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


class Action(StrEnum):
    #: See intelligence at all (the pages, lists and searches over it).
    READ = "read"
    #: Add intelligence: import, annotate, share and withdraw, merge, draft and publish.
    WRITE = "write"
    #: Reach the administration: an organisation admin's, or the operator's.
    ADMINISTER = "administer"
    #: Run the instance: organisations, partners and their sync accounts, addresses, group repairs,
    #: syncing now.
    OPERATE = "operate"
    #: See the correlation flood control that applies: which warning lists are on and which
    #: exclusions hold (instance-wide, and one's organisation's), since they explain one's results.
    #: Changing it is ADMINISTER: an organisation's admin its own, the operator the instance's.
    SEE_FLOOD_CONTROL = "see-flood-control"


ROLES: dict[Action, frozenset[Role]] = {
    # The operator belongs to no audience, so it would read nothing; it is also shown nothing.
    Action.READ: frozenset({Role.ADMIN, Role.ANALYST, Role.READER, Role.SYNC}),
    # Sync accounts write: partners push what they share over TAXII and send their notes back.
    Action.WRITE: frozenset({Role.ADMIN, Role.ANALYST, Role.SYNC}),
    Action.ADMINISTER: frozenset({Role.ADMIN, Role.OPERATOR}),
    Action.OPERATE: frozenset({Role.OPERATOR}),
    Action.SEE_FLOOD_CONTROL: frozenset({Role.ADMIN, Role.ANALYST, Role.READER, Role.OPERATOR}),
}

REFUSALS: dict[Action, str] = {
    Action.READ: "role '{role}' reads no intelligence",
    Action.WRITE: "role '{role}' cannot write; analyst, admin or sync is needed",
    Action.ADMINISTER: "this needs the admin or operator role",
    Action.OPERATE: "this needs the operator role",
    Action.SEE_FLOOD_CONTROL: "role '{role}' has no correlations to tune",
}
