"""Correlation flood control: what keeps known-benign and noisy values from burying the hits that
matter, besides the per-value cap of liaison.intel.correlation.

- **Warning lists** (MISP's, liaison.intel.warninglists) mark values as known-benign. Every list is
  on unless switched off: by the operator for the whole instance, or by an organisation's admin for
  that organisation. A list off for the instance stays off for every organisation.
- **Exclusions** take things out of an organisation's correlations: a `value` (its kind and
  normalised key, read as postings are) answers as if no other object carried it, and no hit
  matches by it; a `type` (a STIX object type such as 'indicator', or a value kind such as 'ipv4';
  a name that is both, such as 'url', is both) drops the objects of that type and the values of
  that kind; an `org` (a source organisation, stored by id) drops the objects that only it holds,
  as far as the reader sees them. The operator's rows apply to every organisation, an admin's to
  its own.

An organisation's rules are the instance's rows and its own (`rules_for`). They only ever narrow
what the reader sees, and depend on nothing but the rows, so an excluded value answers like a value
no one holds (with `excluded` set, which the organisation's own settings say anyway). Admins change
their organisation's rows, the operator the instance's; analysts and readers see the rows that
apply to them, which explain their results; another organisation's row answers exactly as one that
does not exist. Every change is audited in its transaction."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from sqlalchemy import Connection

from liaison import audit
from liaison.access.principal import Action, Principal
from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound
from liaison.intel.warninglists import catalogue, lists_of
from liaison.stix import values
from liaison.stix.validate import is_type_name
from liaison.store import flood as store
from liaison.store import tenancy
from liaison.store.postings import Excluded

WHATS = ("value", "type", "org")
#: Scopes as shown.
INSTANCE, ORGANISATION = "instance", "organisation"
#: What an exclusion that does not exist, or is out of the caller's reach, answers.
NO_SUCH = "no such exclusion"


@dataclass(frozen=True, slots=True)
class Rules:
    """What flood control does to one organisation's correlations."""

    excluded: Excluded
    lists_off: frozenset[str]

    def excludes(self, p: values.Posting) -> bool:
        """Whether a value is taken out entirely: by itself or by its kind."""
        return (p.kind, p.key) in self.excluded.values or p.kind in self.excluded.kinds

    def drops_type(self, stix_type: str) -> bool:
        return stix_type in self.excluded.types

    def marks(self, shown: str) -> tuple[str, ...]:
        """The warning lists that are on for the organisation and have `shown` on them."""
        found = lists_of(shown)
        return tuple(name for name in found if name not in self.lists_off) if self.lists_off else found


#: Seconds an organisation's rules are kept once read: every correlation read needs them, and
#: they change when an admin changes them. A change made in this process clears them at once; one
#: made in another worker process shows here within this time. Flood control narrows what is
#: listed, never what may be seen, so a few seconds' lag leaks nothing.
RULES_TTL = 5.0
_rules: dict[tuple[str, int | None], tuple[float, Rules]] = {}


def rules_for(conn: Connection, principal: Principal) -> Rules:
    """The rules of `principal`'s organisation: the instance's rows and its own."""
    key = (str(conn.engine.url), principal.org_id)
    kept = _rules.get(key)
    if kept is not None and time.monotonic() - kept[0] < RULES_TTL:
        return kept[1]
    if len(_rules) > 1000:
        _rules.clear()
    rules = _read_rules(conn, principal)
    _rules[key] = (time.monotonic(), rules)
    return rules


def forget() -> None:
    """Forget every organisation's rules (an exclusion or a warning list changed)."""
    _rules.clear()


def _read_rules(conn: Connection, principal: Principal) -> Rules:
    rows = store.exclusions(conn, principal.org_id)
    picked = {what: [r for r in rows if r.what == what] for what in WHATS}
    types = tuple(sorted({r.key for r in picked["type"]}))
    excluded = Excluded(
        values=tuple(sorted({(r.kind, r.key) for r in picked["value"]})),
        kinds=tuple(t for t in types if t in values.KINDS),
        types=types,
        org_ids=tuple(sorted({int(r.key) for r in picked["org"]})),
    )
    off = frozenset(name for _org, name in store.switched_off(conn, principal.org_id))
    return Rules(excluded, off)


# --- Exclusions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An exclusion as a caller is shown it: `value` is the value as displayed, the type, or the
    organisation's name; `removable` when the caller may remove it."""

    id: int
    scope: str
    what: str
    kind: str | None
    value: str
    created_at: str
    created_by: str
    removable: bool

    def as_dict(self) -> dict:
        return asdict(self)


def _scope_of(principal: Principal) -> int | None:
    """The scope a principal's changes go to: the operator's (and the host's) the instance, an
    admin's its own organisation."""
    return None if principal.is_operator or principal.org_id is None else principal.org_id


def _scope_label(principal: Principal) -> str:
    return INSTANCE if _scope_of(principal) is None else principal.org_name


def _applies(principal: Principal, row: store.ExclusionRow) -> bool:
    """Whether a row is one the caller is shown: the instance's, or its own organisation's."""
    return row.org_id is None or (principal.org_id is not None and row.org_id == principal.org_id)


def _shown(row: store.ExclusionRow) -> str:
    if row.what == "value":
        return values.display(row.kind, row.key)
    if row.what == "org":
        return row.org_name or f"organisation #{row.key}"
    return row.key


def _view(principal: Principal, row: store.ExclusionRow) -> Exclusion:
    own = row.org_id == _scope_of(principal)
    return Exclusion(
        row.id,
        INSTANCE if row.org_id is None else ORGANISATION,
        row.what,
        row.kind,
        _shown(row),
        row.created_at,
        # An operator's name is not the organisation's business: its rows are the instance's.
        row.created_by if own or principal.is_operator else "operator",
        own and principal.may(Action.ADMINISTER),
    )


def list_exclusions(conn: Connection, principal: Principal) -> list[Exclusion]:
    """The exclusions that apply to the caller's organisation (the operator: the instance's)."""
    principal.require(Action.SEE_FLOOD_CONTROL)
    return [_view(principal, row) for row in store.exclusions(conn, principal.org_id)]


def _reachable(conn: Connection, principal: Principal, exclusion_id: int) -> store.ExclusionRow:
    row = store.exclusion(conn, exclusion_id)
    if row is None or not _applies(principal, row):
        raise NotFound(NO_SUCH)
    return row


def get_exclusion(conn: Connection, principal: Principal, exclusion_id: int) -> Exclusion:
    principal.require(Action.SEE_FLOOD_CONTROL)
    return _view(principal, _reachable(conn, principal, exclusion_id))


def _parse(conn: Connection, what: str, value: str, type_: str | None) -> tuple[str | None, str, str]:
    """(kind, key, as shown) of an exclusion as a caller writes it."""
    if what == "value":
        found = values.normalise(value, type_ or None)
        if not found:
            raise InvalidInput(f"{value!r} is not a value that correlates; name its type", parameter="value")
        return found[0].kind, found[0].key, found[0].shown
    text = (value or "").strip()
    if what == "type":
        name = text.lower()
        if not is_type_name(name):
            raise InvalidInput(
                f"{text!r} is neither a STIX type (such as 'indicator') nor a value kind ({', '.join(values.KINDS)})",
                parameter="value",
            )
        return None, name, name
    if what == "org":
        try:
            org = tenancy.org_by_name(conn, text)
        except NotFound:
            raise InvalidInput(f"no organisation named {text!r}", parameter="value") from None
        return None, str(org.id), org.name
    raise InvalidInput(f"an exclusion is by {', '.join(WHATS)}", parameter="what")


def add_exclusion(conn: Connection, principal: Principal, what: str, value: str, type_: str | None = None) -> Exclusion:
    """Exclude a value, a type or a source organisation from the correlations of the caller's
    organisation (an admin), or of every organisation (the operator)."""
    principal.require(Action.ADMINISTER)
    kind, key, shown = _parse(conn, what, value, type_)
    scope = _scope_of(principal)
    if store.find_exclusion(conn, scope, what, kind, key) is not None:
        raise Conflict(f"{what} {shown!r} is already excluded")
    new_id = store.add_exclusion(conn, scope, what, kind, key, principal.user_name)
    forget()
    audit.record(
        conn,
        principal.user_name,
        "correlation.exclusion-add",
        f"{what}:{shown}",
        id=new_id,
        kind=kind,
        scope=_scope_label(principal),
    )
    return _view(principal, store.exclusion(conn, new_id))


def remove_exclusion(conn: Connection, principal: Principal, exclusion_id: int) -> None:
    """Remove one of the caller's scope's exclusions. Another organisation's answers as one that
    does not exist; the instance's, which an admin is shown, are the operator's to remove."""
    principal.require(Action.ADMINISTER)
    row = _reachable(conn, principal, exclusion_id)
    if row.org_id != _scope_of(principal):
        raise Forbidden("instance-wide exclusions are the operator's to remove")
    store.remove_exclusion(conn, row.id)
    forget()
    audit.record(
        conn,
        principal.user_name,
        "correlation.exclusion-remove",
        f"{row.what}:{_shown(row)}",
        id=row.id,
        kind=row.kind,
        scope=_scope_label(principal),
    )


# --- Warning lists ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarningList:
    """A warning list and whether it marks values for the caller: on for the instance and (but for
    the operator, who has none) for the caller's organisation."""

    name: str
    description: str
    enabled: bool
    instance_enabled: bool
    org_enabled: bool | None

    def as_dict(self) -> dict:
        return asdict(self)


def _lists(conn: Connection, principal: Principal, names: set[str] | None = None) -> list[WarningList]:
    off = store.switched_off(conn, principal.org_id)
    off_instance = {name for org, name in off if org is None}
    off_org = {name for org, name in off if org is not None}
    mine = principal.org_id is not None and not principal.is_operator
    return [
        WarningList(
            name,
            description,
            name not in off_instance and name not in off_org,
            name not in off_instance,
            name not in off_org if mine else None,
        )
        for name, description in catalogue()
        if names is None or name in names
    ]


def warning_lists(conn: Connection, principal: Principal) -> list[WarningList]:
    """Every warning list, with whether it is on for the instance and for the caller's organisation."""
    principal.require(Action.SEE_FLOOD_CONTROL)
    return _lists(conn, principal)


def set_warning_list(conn: Connection, principal: Principal, name: str, enabled: bool) -> WarningList:
    """Switch a list on or off for the caller's organisation (an admin) or the instance (the
    operator). Switching on for an organisation does not override the instance's switch."""
    principal.require(Action.ADMINISTER)
    if name not in dict(catalogue()):
        raise NotFound(f"no warning list named {name!r}")
    scope = _scope_of(principal)
    if enabled:
        changed = store.switch_on(conn, scope, name)
    else:
        changed = store.switch_off(conn, scope, name, principal.user_name)
    forget()
    if changed:
        action = "correlation.warninglist-on" if enabled else "correlation.warninglist-off"
        audit.record(conn, principal.user_name, action, name, scope=_scope_label(principal))
    return _lists(conn, principal, {name})[0]
