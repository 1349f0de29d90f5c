"""Shared fixtures. Every test that takes `engine` runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from liaison import accounts
from liaison.access.principal import Principal
from liaison.db.engine import make_engine, migrate
from liaison.db.tables import metadata

PG_ADMIN_URL = os.environ.get("LIAISON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "liaison.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return str(path)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A fresh PostgreSQL database for this test session, migrated, dropped at the end."""
    admin = make_engine(PG_ADMIN_URL)
    name = f"liaison_test_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """The URL of an empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "liaison.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url) -> Engine:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@dataclass
class Tenants:
    """Three agencies: Alpha and Bravo share the group 'ab'; Charlie is outside it."""

    engine: Engine
    tokens: dict[str, str]

    def principal(self, user: str) -> Principal:
        with self.engine.begin() as conn:
            return accounts.principal_for_user(conn, user)

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


@pytest.fixture
def tenants(engine) -> Tenants:
    users = {
        "alice": ("Alpha", "analyst"),
        "rita": ("Alpha", "reader"),
        "bob": ("Bravo", "analyst"),
        "carol": ("Charlie", "analyst"),
        "adam": ("Alpha", "admin"),
    }
    with engine.begin() as conn:
        for org in ("Alpha", "Bravo", "Charlie"):
            accounts.create_org(conn, org)
        accounts.create_group(conn, "ab", ["Alpha", "Bravo"])
        for name, (org, role) in users.items():
            accounts.create_user(conn, name, org, role)
        tokens = {name: accounts.create_token(conn, name) for name in users}
    return Tenants(engine, tokens)


@pytest.fixture
def client(tenants):
    """An in-process client of the real application over the test database."""
    from fastapi.testclient import TestClient

    from liaison.app import create_app

    with TestClient(create_app(engine=tenants.engine)) as client:
        yield client
