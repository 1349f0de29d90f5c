"""A sovereign Liaison instance for tests that cross HTTP: its own database, keys, organisation and
`liaison serve` process (tests/servers.py)."""

from __future__ import annotations

import os
import subprocess

import orjson
from servers import LIAISON, LiveServer

from liaison import accounts
from liaison.db.engine import make_engine, migrate
from liaison.federation import partners, sync
from liaison.ingest.bundles import import_objects
from liaison.intel.objects import export_bundle, make_filters
from liaison.store.provenance import instance_key


class Instance:
    def __init__(self, name: str, org: str, user: str, tmp_path):
        self.name, self.org, self.user = name, org, user
        self.dir = tmp_path / name
        self.dir.mkdir()
        self.db_url = f"sqlite:///{self.dir / 'liaison.db'}"
        self.engine = make_engine(self.db_url)
        migrate(self.engine)
        with self.engine.connect() as conn:  # made in its own transaction, before anything is written
            self.key = instance_key(conn)
        with self.engine.begin() as conn:
            accounts.create_org(conn, org)
            accounts.create_user(conn, user, org, "analyst")
        self.env = {"LIAISON_INSTANCE_NAME": name, "LIAISON_SYNC_INTERVAL": "0"}
        self.server = LiveServer(self.db_url, self.dir, **self.env)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "LIAISON_DATABASE_URL": self.db_url, **self.env}
        return subprocess.run([LIAISON, *args], env=env, cwd=self.dir, capture_output=True, text=True, timeout=300)

    def sync_account_for(self, partner: Instance) -> str:
        """Register `partner` here (its key pinned) with a sync account; return that account's token."""
        with self.engine.begin() as conn:
            partners.add_partner(conn, partner.name, None, None, partner.key.public_key)
            accounts.create_user(conn, f"{partner.name}-sync", partner.name, "sync")
            return accounts.create_token(conn, f"{partner.name}-sync")

    def principal(self, user: str):
        with self.engine.connect() as conn:
            return accounts.principal_for_user(conn, user)

    def import_objects(self, user: str, objects: list[dict], audience: str = "org"):
        with self.engine.begin() as conn:
            return import_objects(conn, accounts.principal_for_user(conn, user), objects, audience=audience)

    def group(self, name: str, members: list[str]) -> None:
        with self.engine.begin() as conn:
            accounts.create_group(conn, name, members)

    def sync_errors(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [s for p in sync.status(conn) for s in p["streams"] if s["last_error"]]

    def visible_ids(self, user: str | None = None) -> set[str]:
        with self.engine.connect() as conn:
            principal = accounts.principal_for_user(conn, user or self.user)
            exported = orjson.loads(b"".join(export_bundle(conn, principal, make_filters(conn))))
        return {o["id"] for o in exported["objects"]}
