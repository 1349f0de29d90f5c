"""What an organisation lets others discover by hit/no-hit queries: per object, per imported bundle, and
as its default ('none' unless an admin sets another). A scope is 'none', 'instance' (the instance's
other organisations), 'partners' (partner instances) or 'group:<name>' (a group the organisation is
in). TLP still decides on top (store.discovery): TLP:RED answers named groups only, AMBER+STRICT no one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from liaison import audit
from liaison.access.principal import Action, Principal
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.intel.details import NO_OBJECT
from liaison.stix.validate import IDENTIFIER_RE
from liaison.store import discovery, sharing


@dataclass(frozen=True, slots=True)
class Discoverability:
    #: The object's own rules ('default' when it has none and follows the organisation's).
    own: list[str]
    #: What applies: its own rules, else the organisation's default.
    effective: list[str]


def _scopes(conn: Connection, principal: Principal, specs: list[str]) -> list[tuple[str, int | None]]:
    """(scope, group id) pairs for `specs`; a group must be one of the organisation's."""
    specs = [s.strip() for s in specs if s.strip()]
    if "none" in specs and len(specs) > 1:
        raise InvalidInput("'none' cannot be combined with other scopes", parameter="discoverable")
    groups = discovery.groups_of(conn, principal.org_id)
    found: list[tuple[str, int | None]] = []
    for spec in dict.fromkeys(specs):
        if spec in ("none", "instance", "partners"):
            found.append((spec, None))
        elif spec.startswith("group:") and spec[6:] in groups:
            found.append(("group", groups[spec[6:]]))
        else:
            raise InvalidInput(
                f"unknown scope '{spec}'; use none, instance, partners or group:<one of your groups>",
                parameter="discoverable",
            )
    return found


def _specs(rules: list[discovery.Rule]) -> list[str]:
    return [r.spec for r in rules]


def _holds(conn: Connection, principal: Principal, stix_id: str) -> None:
    if principal.org_id is None or not IDENTIFIER_RE.match(stix_id):
        raise NotFound(NO_OBJECT)
    if not sharing.chain_versions(conn, principal.org_id, stix_id, all_versions=False):
        raise NotFound(NO_OBJECT)


def of_object(conn: Connection, principal: Principal, stix_id: str) -> Discoverability:
    """The organisation's discoverability of an object it holds; others answer as missing."""
    principal.require(Action.READ)
    _holds(conn, principal, stix_id)
    own = _specs(discovery.rules(conn, principal.org_id, stix_id))
    default = _specs(discovery.defaults(conn, principal.org_id)) or ["none"]
    return Discoverability(own or ["default"], own or default)


def set_object(conn: Connection, principal: Principal, stix_id: str, specs: list[str]) -> Discoverability:
    """Set who may discover the organisation's holding of `stix_id`; ['default'] (or nothing)
    returns it to the organisation's default."""
    principal.require(Action.WRITE)
    _holds(conn, principal, stix_id)
    scopes = [] if specs in ([], ["default"]) else _scopes(conn, principal, specs)
    discovery.set_rules(conn, principal.org_id, [stix_id], scopes)
    audit.record(conn, principal.user_name, "object.discoverability", stix_id, scopes=specs or ["default"])
    return of_object(conn, principal, stix_id)


def set_imported(conn: Connection, principal: Principal, stix_ids: list[str], specs: list[str]) -> None:
    """Discoverability for every object of an imported bundle (all held by the importer now)."""
    principal.require(Action.WRITE)
    scopes = _scopes(conn, principal, specs)
    discovery.set_rules(conn, principal.org_id, stix_ids, scopes)
    audit.record(conn, principal.user_name, "bundle.discoverability", None, objects=len(stix_ids), scopes=specs)


def default(conn: Connection, principal: Principal) -> list[str]:
    principal.require(Action.READ)
    if principal.org_id is None:
        return ["none"]
    return _specs(discovery.defaults(conn, principal.org_id)) or ["none"]


def set_default(conn: Connection, principal: Principal, specs: list[str]) -> list[str]:
    """An organisation admin sets what its objects with no rule of their own answer."""
    principal.require(Action.ADMINISTER)
    if principal.org_id is None:
        raise Forbidden("an operator belongs to no organisation; an organisation's admins set its default")
    scopes = _scopes(conn, principal, specs or ["none"])
    discovery.set_defaults(conn, principal.org_id, [s for s in scopes if s[0] != "none"])
    audit.record(conn, principal.user_name, "org.discoverability", principal.org_name, scopes=specs or ["none"])
    return default(conn, principal)


def ids_of(objects: Iterable[object], into: list[str]) -> Iterator[object]:
    """Pass `objects` through, noting each one's id in `into`: a bundle's ids, read as it streams
    in, for set_imported once the import has written them."""
    for obj in objects:
        if isinstance(obj, dict) and isinstance(obj.get("id"), str):
            into.append(obj["id"])
        yield obj


def parse_specs(text: str | None) -> list[str]:
    """Scopes written as 'instance,group:ab' (the CLI's and the import's form)."""
    return [s.strip() for s in (text or "").split(",") if s.strip()]
