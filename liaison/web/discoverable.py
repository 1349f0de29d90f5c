"""The "Discoverable by" forms of the web UI: an object's (on its page, for the organisations that hold
it) and the organisation's default (on the requests page, for its admins). What the forms offer, and
how a submitted form becomes the scopes liaison.intel.discovery takes; the rules live there."""

from __future__ import annotations

from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput
from liaison.intel import annotations

#: The form's modes: follow the organisation's default, no one, or only the scopes ticked.
DEFAULT, NONE, ONLY = "default", "none", "only"


_LABELS = {
    NONE: "no one",
    DEFAULT: "the organisation's default",
    "instance": "this instance's other organisations",
    "partners": "partner instances",
}


def describe(specs: list[str]) -> str:
    """Scopes in words (as the template macro scope_list writes them)."""
    return ", ".join(_LABELS.get(s, f"members of {s}" if s.startswith("group:") else s) for s in specs)


def group_choices(conn: Connection, principal: Principal) -> list[tuple[str, str]]:
    """(spec, label) of the groups the organisation is in, which a scope may name."""
    choices, _default = annotations.audience_choices(conn, principal)
    return [(c.spec, c.label) for c in choices if c.spec.startswith("group:")]


def mode_of(specs: list[str]) -> str:
    """The form's mode for rules as the service answers them."""
    return specs[0] if specs in ([DEFAULT], [NONE]) else ONLY


def specs(mode: str, scopes: list[str], *, allow_default: bool) -> list[str]:
    """What the service takes for a submitted form: the scopes ticked count only under 'only'."""
    if mode == NONE or (mode == DEFAULT and allow_default):
        return [mode]
    if mode != ONLY:
        raise InvalidInput("choose who may discover it", parameter="mode")
    chosen = [s for s in scopes if s.strip()]
    if not chosen:
        raise InvalidInput("tick who may discover it, or choose no one", parameter="scope")
    return chosen
