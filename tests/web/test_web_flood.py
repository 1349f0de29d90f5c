"""The correlation flood control page (/admin/correlation, linked from the administration page):
admins change their organisation's lists and exclusions, the operator the instance's, with the
session's CSRF token; analysts see what applies to them; Bravo's admin reaches none of Alpha's."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import update
from txn import committed
from webtools import password_of

from liaison import accounts, audit
from liaison.access.credentials import hash_password
from liaison.db.tables import user
from liaison.ingest.bundles import import_objects
from liaison.intel import flood

PAGE = "/admin/correlation"
ADDRESS = "203.0.113.9"
DNS = "List of known IPv4 public DNS resolvers"


@pytest.fixture
def admins(tenants, passwords):
    """Bravo's admin bea and the operator ops, with the tenants' passwords."""
    for name, org, role in (("bea", "Bravo", "admin"), ("ops", None, "operator")):
        committed(tenants.engine, accounts.create_user, name, org, role)
        with tenants.engine.begin() as conn:
            conn.execute(update(user).where(user.c.name == name).values(password_hash=hash_password(password_of(name))))
    return tenants


def _body(page) -> str:
    """The page without the session's CSRF token."""
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page.text)


def _sco(value: str) -> dict:
    return {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": value}


def test_an_admin_excludes_a_value_and_its_analysts_see_why(web, admins):
    mine, theirs = _sco(ADDRESS), _sco(ADDRESS)
    committed(admins.engine, import_objects, admins.principal("alice"), [mine], audience="group:ab")
    committed(admins.engine, import_objects, admins.principal("bob"), [theirs], audience="group:ab")
    adam, alice = web("adam"), web("alice")
    assert PAGE in adam.get("/admin").text
    assert theirs["id"] in alice.get(f"/objects/{mine['id']}/correlations").text

    done = adam.post(f"{PAGE}/exclusions", {"what": "value", "value": ADDRESS, "type": "ipv4"})
    assert done.status_code == 200 and f"value {ADDRESS} excluded" in done.text
    panel = alice.get(f"/objects/{mine['id']}/correlations").text
    assert theirs["id"] not in panel and "badge excluded" in panel
    assert mine["id"] in web("bob").get(f"/objects/{theirs['id']}/correlations").text

    seen = alice.get(PAGE)
    assert seen.status_code == 200 and ADDRESS in seen.text
    assert 'action="/admin/correlation/exclusions"' not in seen.text and "/remove" not in seen.text
    [row] = committed(admins.engine, flood.list_exclusions, admins.principal("adam"))
    assert alice.post(f"{PAGE}/exclusions/{row.id}/remove").status_code == 403
    assert alice.post(f"{PAGE}/exclusions", {"what": "type", "value": "indicator"}).status_code == 403
    bad = adam.post(f"{PAGE}/exclusions", {"what": "value", "value": "no such thing"})
    assert bad.status_code == 422 and "not a value that correlates" in bad.text

    assert adam.post(f"{PAGE}/exclusions/{row.id}/remove").status_code == 200
    assert theirs["id"] in alice.get(f"/objects/{mine['id']}/correlations").text
    with admins.engine.connect() as conn:
        actions = {e["action"] for e in audit.entries(conn)}
    assert {"correlation.exclusion-add", "correlation.exclusion-remove"} <= actions


def test_bravos_admin_reaches_none_of_alphas_rows(web, admins):
    row = committed(admins.engine, flood.add_exclusion, admins.principal("adam"), "value", ADDRESS)
    bea = web("bea")
    assert ADDRESS not in bea.get(PAGE).text
    answers = [bea.post(f"{PAGE}/exclusions/{exclusion_id}/remove") for exclusion_id in (row.id, row.id + 1000)]
    assert [a.status_code for a in answers] == [404, 404]
    assert _body(answers[0]) == _body(answers[1])
    assert [e.id for e in committed(admins.engine, flood.list_exclusions, admins.principal("alice"))] == [row.id]


def test_changes_need_the_sessions_csrf_token(web, admins):
    adam = web("adam")
    for path, data in (
        (f"{PAGE}/exclusions", {"what": "type", "value": "indicator"}),
        (f"{PAGE}/warninglists", {"name": DNS, "enabled": "off"}),
    ):
        refused = adam.http.post(path, data={**data, "csrf_token": "forged"})
        assert refused.status_code == 403, path
    assert committed(admins.engine, flood.list_exclusions, admins.principal("adam")) == []
    assert all(w.enabled for w in committed(admins.engine, flood.warning_lists, admins.principal("adam")))


def test_the_operator_switches_a_list_off_for_the_instance(web, admins):
    ops, adam = web("ops"), web("adam")
    page = ops.post(f"{PAGE}/warninglists", {"name": DNS, "enabled": "off"})
    assert page.status_code == 200 and f"{DNS} switched off" in page.text
    for name in ("adam", "bob", "carol"):
        [state] = [w for w in committed(admins.engine, flood.warning_lists, admins.principal(name)) if w.name == DNS]
        assert not state.enabled and not state.instance_enabled, name
    assert 'off <span class="muted">for the instance</span>' in adam.get(PAGE).text
    # Alpha's admin switches it on for Alpha: still off, as the instance says.
    adam.post(f"{PAGE}/warninglists", {"name": DNS, "enabled": "on"})
    [state] = [w for w in committed(admins.engine, flood.warning_lists, admins.principal("alice")) if w.name == DNS]
    assert (state.enabled, state.instance_enabled, state.org_enabled) == (False, False, True)
    assert ops.post(f"{PAGE}/warninglists", {"name": DNS, "enabled": "on"}).status_code == 200
    [state] = [w for w in committed(admins.engine, flood.warning_lists, admins.principal("alice")) if w.name == DNS]
    assert state.enabled
