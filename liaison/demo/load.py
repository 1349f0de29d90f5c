"""Load the demo world into an instance: organisations, groups, users, tokens and intelligence."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from liaison import accounts
from liaison.demo import world
from liaison.ingest.bundles import import_objects
from liaison.store import discovery, tenancy


@dataclass(frozen=True, slots=True)
class DemoLogin:
    user: str
    organisation: str | None
    role: str
    password: str
    token: str


def load_demo(conn: Connection) -> int:
    """Create whatever of the demo world is missing, in the caller's transaction; return how many
    object versions were added. Loading twice adds nothing."""
    holdings = world.demo_holdings()
    identities = {
        obj["id"]: obj for _o, _a, bundle in holdings for obj in bundle["objects"] if obj["type"] == "identity"
    }
    orgs = {row.name for row in tenancy.list_orgs(conn)}
    for org in world.ORGANISATIONS:
        if org["name"] not in orgs:
            accounts.create_org(conn, org["name"], identities.get(org["identity_id"]))
    groups = {name for name, _description, _members in tenancy.list_groups(conn)}
    for group in world.SHARING_GROUPS:
        if group["name"] not in groups:
            accounts.create_group(conn, group["name"], group["members"], group["description"])
    users = {row.name for row in tenancy.list_users(conn)}
    for person in world.USERS:
        if person["name"] not in users:
            accounts.create_user(conn, person["name"], person["org"], person["role"], person["password"])
    for name, scopes in world.DISCOVERABLE.items():
        org_id = tenancy.org_by_name(conn, name).id
        if not discovery.defaults(conn, org_id):
            groups = discovery.group_ids_by_name(conn, [s[6:] for s in scopes if s.startswith("group:")])
            pairs = [("group", groups[s[6:]]) if s.startswith("group:") else (s, None) for s in scopes]
            discovery.set_defaults(conn, org_id, pairs)
    own_identities = {org["identity_id"] for org in world.ORGANISATIONS}
    added = 0
    for owner, audience, bundle in holdings:
        principal = tenancy.org_principal(conn, tenancy.org_by_name(conn, owner).id)
        objects = [obj for obj in bundle["objects"] if obj["id"] not in own_identities]
        added += import_objects(conn, principal, objects, audience=audience).new_versions
    _drafts(conn)
    return added


def _drafts(conn: Connection) -> None:
    """The demo articles as drafts of their analysts, once (an organisation with drafts gets none)."""
    from liaison.demo.articles import ARTICLES
    from liaison.intel import drafts

    for article in ARTICLES:
        principal = accounts.principal_for_user(conn, article["user"])
        if drafts.list_drafts(conn, principal, status=None, limit=1)[0] == 0:
            drafts.create_draft(
                conn,
                principal,
                text=article["text"],
                title=article["title"],
                source=article["source"],
                published=article["published"],
            )


def demo_logins(conn: Connection) -> list[DemoLogin]:
    """Each demo user with its password and a fresh API token (the previous demo token is revoked)."""
    return [
        DemoLogin(
            p["name"], p["org"], p["role"], p["password"], accounts.create_token(conn, p["name"], "demo", replace=True)
        )
        for p in world.USERS
    ]
