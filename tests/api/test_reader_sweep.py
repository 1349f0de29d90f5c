"""Every state-changing route of the REST API, read from the OpenAPI document, refuses a reader (and
an operator, who writes no intelligence either), before it changes anything. Their tokens are
write tokens, as an analyst's made before it became a reader would be, so that the role is what
refuses, not the token's scope."""

from __future__ import annotations

from txn import committed

from liaison import accounts
from liaison.access import credentials
from liaison.access.actions import ROLES, Action, Role
from liaison.store import tenancy

NEVER = {
    "{stix_id}": "intrusion-set--00000000-0000-4000-8000-000000000000",
    "{draft_id}": "00000000-0000-4000-8000-000000000000",
    "{relationship_id}": "relationship--00000000-0000-4000-8000-000000000000",
    "{name}": "Nobody",
    "{exclusion_id}": "999999",
    "{request_id}": "00000000-0000-4000-8000-000000000000",
}


#: A body of the shape every write route takes, so that what refuses is the role, not the request.
BODY = {
    "duplicate": NEVER["{stix_id}"],
    "canonical": NEVER["{stix_id}"].replace("0000-4000", "0000-4001"),
    "audience": "org",
    "text": "Sweep text",
    "changes": [{"op": "title", "title": "x"}],
    "tlp": "amber",
    "reliability": "B",
    "credibility": 2,
    "what": "type",
    "value": "x-sweep",
    "enabled": False,
    "reference": "no-such-reference",
    "reason": "sweep",
    "discoverable": ["instance"],
    "values": [{"value": "sweep.example"}],
}


def _writes(client) -> list[tuple[str, str]]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return sorted(
        (method, path)
        for path, ops in paths.items()
        for method in ops
        if method in ("post", "put", "patch", "delete") and path.startswith("/api/v1/")
    )


def _fill(path: str) -> str:
    for key, value in NEVER.items():
        path = path.replace(key, value)
    return path


def test_every_write_route_refuses_a_reader_and_an_operator(client, tenants):
    writes = _writes(client)
    assert ("post", "/api/v1/bundles") in writes and ("delete", "/api/v1/drafts/{draft_id}") in writes
    committed(tenants.engine, accounts.create_user, "ops", None, "operator")
    callers = {}
    with tenants.engine.begin() as conn:
        for name in ("rita", "ops"):
            token = credentials.new_token()
            tenancy.create_token(
                conn, tenancy.user_by_name(conn, name).id, "old", credentials.token_digest(token), "write", None
            )
            callers[name] = {"Authorization": f"Bearer {token}"}
    with tenants.engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT count(*) FROM object_version").scalar()
    for name, headers in callers.items():
        for method, path in writes:
            if name == "ops" and path == "/api/v1/partners/{name}/sync":
                continue  # syncing with a partner is the operator's own job
            if name == "ops" and path.startswith("/api/v1/correlation/"):
                continue  # so is the instance's correlation flood control (tests/api/test_flood_api.py)
            if name == "rita" and path == "/api/v1/hits":
                continue  # a hit query reads; it writes only the reader's own history (tests/api/test_hits_api.py)
            if name == "rita" and path.startswith(("/api/v1/saved-searches", "/api/v1/watchlists", "/api/v1/alerts")):
                continue  # a reader keeps its own saved searches, watchlists and alerts (their own tests)
            answer = client.request(method.upper(), _fill(path), headers=headers, params={"audience": "org"}, json=BODY)
            assert answer.status_code == 403, (name, method, path, answer.status_code, answer.text)
    with tenants.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM object_version").scalar() == before
    # The sweep can fail: an analyst's write gets past the role check.
    assert (
        client.post("/api/v1/drafts", headers=tenants.headers("alice"), json={"text": "Sweep text"}).status_code == 201
    )


def test_the_table_gives_each_action_its_roles():
    assert Role.READER not in ROLES[Action.WRITE] and Role.OPERATOR not in ROLES[Action.READ]
    assert ROLES[Action.OPERATE] == {Role.OPERATOR} and ROLES[Action.ADMINISTER] == {Role.ADMIN, Role.OPERATOR}
