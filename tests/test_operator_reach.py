"""The operator reads no intelligence, end to end: from the side of an operator who wants to read
a sharing group through a partner it registers itself, or an organisation through an admin it
plants (findings of the security review of the administration change)."""

from __future__ import annotations

import base64

import pytest
from stixdata import actor
from txn import committed

from liaison import accounts, administration
from liaison.errors import LiaisonError, NotFound, PasswordChangeRequired
from liaison.ingest.bundles import import_objects
from liaison.intel.objects import get_object

TAXII = "application/taxii+json;version=2.1"


def _basic(user: str, token: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()}


@pytest.fixture
def staff(tenants):
    """An operator 'ops', Bravo's admin 'bea' and Charlie's admin 'cid' (tenants has Alpha's 'adam')."""
    committed(tenants.engine, accounts.create_user, "ops", None, "operator")
    committed(tenants.engine, accounts.create_user, "bea", "Bravo", "admin")
    committed(tenants.engine, accounts.create_user, "cid", "Charlie", "admin")
    return tenants


def _secret_of_ab(tenants) -> dict:
    """Alpha's actor shared with group 'ab' (Alpha and Bravo) only."""
    obj = actor("Black Saxaul", level="amber", created_by_ref=tenants.principal("alice").org_identity_id)
    committed(tenants.engine, import_objects, tenants.principal("alice"), [obj], audience="group:ab")
    return obj


def _secret_of_bravo(tenants) -> dict:
    """Bravo's actor for Bravo alone."""
    obj = actor("Bravo Only Source", level="amber", created_by_ref=tenants.principal("bob").org_identity_id)
    committed(tenants.engine, import_objects, tenants.principal("bob"), [obj], audience="org")
    return obj


def _attempt(step) -> bool:
    """Run one step of an attack; False when the application refused it."""
    try:
        step()
    except LiaisonError:
        return False
    return True


# --- The operator reads no intelligence -------------------------------------------------------


def test_operator_cannot_read_a_group_by_adding_a_puppet_partner_to_it(client, staff):
    """HIGH. The operator registers a partner of its own, gives it a sync account and a token
    (shown to the operator), then 'repairs' group 'ab' (owned by Alpha, Alpha and Bravo only) by
    adding the puppet partner without any invitation, and reads the group's collection over TAXII
    with the puppet's token. Expected: the operator cannot put an organisation into a group its
    owner did not invite (repair_group 'add' refused for groups with an owner, or only completing
    a pending invitation), so nothing of 'ab' ever reaches a token the operator made."""
    engine, ops = staff.engine, staff.principal("ops")
    secret = _secret_of_ab(staff)
    token = None

    def make_token():
        nonlocal token
        token = committed(engine, administration.create_token, ops, "puppet-sync", "t", None, None)

    steps = [
        lambda: committed(engine, administration.add_partner, ops, "Puppet", "", "", ""),
        lambda: committed(engine, administration.add_user, ops, "puppet-sync", "sync", "", org="Puppet"),
        make_token,
    ]
    assert all(_attempt(step) for step in steps)  # registering a partner is the operator's job
    # Whatever it tries, the puppet does not get into 'ab'.
    _attempt(lambda: committed(engine, administration.invite, ops, "ab", "Puppet"))
    _attempt(lambda: committed(engine, administration.answer_invitation, ops, "ab", True, "Puppet"))
    _attempt(lambda: committed(engine, administration.hand_over, ops, "ab", "Puppet"))
    _attempt(lambda: committed(engine, administration.create_group, ops, "ab2"))
    headers = {**_basic("puppet-sync", token), "Accept": TAXII}
    collections = client.get("/taxii2/liaison/collections/", headers=headers).json().get("collections", [])
    read = "".join(
        client.get(f"/taxii2/liaison/collections/{c['id']}/objects/", headers=headers).text for c in collections
    )
    assert secret["id"] not in read, "the operator read group 'ab' through a puppet partner it put there"


def test_operator_cannot_plant_an_admin_in_an_organisation_that_has_users_and_data(staff):
    """HIGH. Bravo already has an analyst (bob) and intelligence, but no enabled admin; the
    operator 'adds its first admin' with a password of its own choosing, logs in as that admin
    and reads everything Bravo holds. (The same after two admins of an organisation demote each
    other, or when all its admins are disabled; and add_org always lets the operator choose the
    first admin's password.) Expected: the operator never obtains a credential of an organisation
    account: a first admin only with a new organisation, enrolled through a one-time link or with
    a password it must change at first login, never into an organisation that already has users."""
    engine, ops = staff.engine, staff.principal("ops")
    with engine.begin() as conn:  # Bravo's own admin is disabled (e.g. left the agency)
        from liaison.store import tenancy

        tenancy.set_disabled(conn, tenancy.user_by_name(conn, "bea").id, True)
    secret = _secret_of_bravo(staff)
    assert not _attempt(
        lambda: committed(engine, administration.add_user, ops, "mole", "admin", "operator-knows-this", org="Bravo")
    )
    # A new organisation's first admin replaces the password the operator chose before getting in.
    committed(engine, administration.add_org, ops, "Delta", "dora", "operator-knows-this")
    with pytest.raises(PasswordChangeRequired):
        accounts.start_session(engine, "dora", "operator-knows-this")
    with pytest.raises(NotFound):
        committed(engine, get_object, ops, secret["id"])
