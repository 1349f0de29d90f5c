"""Upgrades from the previous release of Liaison, run from its own code (taken from git): its
database migrates with holdings, groups and users intact and every user sees what it saw, and an
instance still on it syncs with an upgraded one."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import pytest
from conftest import PG_ADMIN_URL
from servers import LiveServer, free_port
from sqlalchemy import text
from sqlalchemy.engine import make_url
from stixdata import actor

from liaison import accounts
from liaison.db.engine import make_engine, migrate
from liaison.federation import partners
from liaison.ingest.bundles import import_objects
from liaison.intel import drafts
from liaison.intel.objects import export_bundle, make_filters
from liaison.stix.values import postings
from liaison.store.provenance import instance_key

ROOT = Path(__file__).resolve().parents[2]
#: The first migration of the new version model: the previous release is its commit's parent.
MARKER = "liaison/db/migrations/versions/0004_corrections_chains_audiences.py"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """The package of the release before migration 0004, unpacked from git."""
    try:
        added = _git("log", "--diff-filter=A", "--format=%H", "--", MARKER).splitlines()
        base = f"{added[-1]}^" if added else "HEAD"
        target = tmp_path_factory.mktemp("previous")
        archive = subprocess.run(["git", "archive", base, "liaison"], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the previous release cannot be taken from git here: {exc}")
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    assert not (target / MARKER).exists()
    return target


def old_liaison(code: Path, db_url: str, cwd: Path, *args: str, **env: str) -> str:
    """Run the previous release's command line."""
    launcher = f"import sys; sys.path.insert(0, {str(code)!r}); from liaison.cli import app; app()"
    done = subprocess.run(
        [sys.executable, "-c", launcher, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LIAISON_DATABASE_URL": db_url, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _state(engine) -> dict:
    with engine.connect() as conn:
        return {
            "holdings": sorted(
                conn.execute(
                    text(
                        "SELECT v.stix_id, v.modified, h.org_id, h.audience_id, h.added_at FROM holding h "
                        "JOIN object_version v ON v.pk = h.version_pk"
                    )
                ).all()
            ),
            "users": sorted(conn.execute(text("SELECT name, org_id, role, password_hash FROM user_account")).all()),
            "groups": sorted(
                conn.execute(
                    text("SELECT g.name, m.org_id FROM sharing_group g JOIN group_member m ON m.group_id = g.id")
                ).all()
            ),
            "tokens": sorted(conn.execute(text("SELECT user_id, token_hash FROM api_token")).all()),
        }


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    """An empty database of each kind, with no schema yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'previous.db'}"
        return
    admin = make_engine(PG_ADMIN_URL)
    name = f"liaison_upgrade_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_previous_database_upgrades_with_everything_intact(previous, empty_url, tmp_path):
    db_url = empty_url
    old_liaison(previous, db_url, tmp_path, "init", "--demo")
    engine = make_engine(db_url)
    before = _state(engine)
    users = list({org: name for name, org, _role, _hash in before["users"]}.values())  # one per organisation
    seen_before = {}
    for user in users:
        exported = orjson.loads(old_liaison(previous, db_url, tmp_path, "export", "--as", user))
        seen_before[user] = sorted((o["id"], o.get("modified", "")) for o in exported["objects"])
    migrate(engine)
    assert _state(engine) == before
    for user in users:
        with engine.connect() as conn:
            principal = accounts.principal_for_user(conn, user)
            exported = orjson.loads(b"".join(export_bundle(conn, principal, make_filters(conn))))
        assert sorted((o["id"], o.get("modified", "")) for o in exported["objects"]) == seen_before[user], user
    # Drafts under review keep only what their text says; each still reads, and previews, for its organisation.
    with engine.connect() as conn:
        under_review = conn.execute(
            text(
                "SELECT d.id, u.name FROM draft_report d JOIN user_account u "
                "ON u.id = d.created_by WHERE d.status = 'draft'"
            )
        ).all()
    assert under_review
    for draft_id, author in under_review:
        with engine.begin() as conn:
            principal = accounts.principal_for_user(conn, author)
            view = drafts.get_draft(conn, principal, draft_id)
            assert view.review["entities"] and all("conflicts" in e for e in view.review["entities"])
            assert drafts.preview_bundle(conn, principal, draft_id)["objects"]
    # The correlation postings of every stored version are backfilled, as an import writes them.
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT version_pk, kind, key FROM posting")).all())
        expected = {
            (pk, p.kind, p.key)
            for pk, raw in conn.execute(text("SELECT pk, raw FROM object_version")).all()
            for p in postings(orjson.loads(raw))
        }
    assert stored == expected and stored
    engine.dispose()


def test_an_instance_on_the_previous_release_syncs_with_an_upgraded_one(previous, tmp_path):
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir(), new_dir.mkdir()
    old_url, new_url = f"sqlite:///{old_dir / 'liaison.db'}", f"sqlite:///{new_dir / 'liaison.db'}"
    env = {"LIAISON_SYNC_INTERVAL": "0"}

    def old(*args: str) -> str:
        return old_liaison(previous, old_url, old_dir, *args, LIAISON_INSTANCE_NAME="OLD", **env)

    old("init")
    old("org", "add", "Old Agency")
    old("user", "add", "olga", "--org", "Old Agency", "--role", "analyst")
    old_key = old("keys").split("public key:")[1].strip()
    new = make_engine(new_url)
    migrate(new)
    with new.begin() as conn:
        new_key = instance_key(conn)  # before the transaction writes (store/provenance.py)
        accounts.create_org(conn, "New Agency")
        accounts.create_user(conn, "nina", "New Agency", "analyst")
        partners.add_partner(conn, "OLD", None, None, old_key)
        accounts.create_user(conn, "old-sync", "OLD", "sync")
        token = accounts.create_token(conn, "old-sync")
        accounts.create_group(conn, "borders", ["New Agency", "OLD"])
    server = LiveServer(new_url, new_dir, port=free_port(), LIAISON_INSTANCE_NAME="NEW", **env).start()
    try:
        old("partner", "add", "NEW", "--url", server.url, "--token", token, "--public-key", new_key.public_key)
        old("group", "add", "borders", "--member", "Old Agency", "--member", "NEW")
        ours = actor("From the old release")
        (old_dir / "ours.json").write_bytes(
            orjson.dumps({"type": "bundle", "id": "bundle--" + ours["id"][-36:], "objects": [ours]})
        )
        old("import", str(old_dir / "ours.json"), "--as", "olga", "--audience", "group:borders")
        theirs = actor("From the upgraded release")
        with new.begin() as conn:
            import_objects(conn, accounts.principal_for_user(conn, "nina"), [theirs], audience="group:borders")
        old("sync", "NEW")
        with new.connect() as conn:
            nina = accounts.principal_for_user(conn, "nina")
            received = orjson.loads(b"".join(export_bundle(conn, nina, make_filters(conn))))["objects"]
        assert ours in received
        exported = orjson.loads(old("export", "--as", "olga"))["objects"]
        assert [o for o in exported if o["id"] == theirs["id"]] == [theirs]
    finally:
        server.stop()
        new.dispose()
