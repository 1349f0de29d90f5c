"""The daily digest by e-mail, through a real SMTP server on loopback: sent once a day to the
address a user gave, with ids, types and links only, and only of alerts the user may still see."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from stixdata import actor
from txn import committed

from liaison.alerts import digest, evaluate, watchlists
from liaison.app import build_worker
from liaison.config import Settings
from liaison.ingest.bundles import import_objects
from liaison.intel import sharing


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        body = email.message_from_bytes(envelope.content, policy=email.policy.default).get_content()
        self.messages.append((envelope.rcpt_tos, body))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller checks readiness by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, f"127.0.0.1:{port}"
    controller.stop()


def _import(tenants, user, objects, audience="instance"):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def test_the_digest_is_mailed_once_a_day_without_content(tenants, smtp):
    inbox, server = smtp
    settings = Settings(smtp_server=server, public_url="https://liaison.test", run_jobs=False, sync_interval=0)
    committed(tenants.engine, watchlists.watch, tenants.principal("bob"), "type", {"type": "intrusion-set"})
    committed(tenants.engine, digest.set_email, tenants.principal("bob"), "bob@bravo.example")
    seen = actor("Oxus Couriers", level="green", description="routes through Termez")
    withdrawn = actor("Brief Share", level="amber")
    _import(tenants, "alice", [seen])
    _import(tenants, "alice", [withdrawn], "group:ab")
    evaluate.run(tenants.engine)
    committed(tenants.engine, sharing.unshare, tenants.principal("alice"), withdrawn["id"], "group:ab")
    worker = build_worker(tenants.engine, settings)
    worker.drain()
    [(to, text)] = inbox.messages
    assert to == ["bob@bravo.example"]
    assert f"https://liaison.test/objects/{seen['id']}" in text
    assert withdrawn["id"] not in text  # withdrawn from Bravo before the digest went out
    assert "Oxus" not in text and "Termez" not in text
    worker.drain()
    assert len(inbox.messages) == 1  # once a day, however often the schedule looks


def test_no_digest_without_an_address_or_without_alerts(tenants, smtp):
    inbox, server = smtp
    settings = Settings(smtp_server=server, run_jobs=False, sync_interval=0)
    committed(tenants.engine, watchlists.watch, tenants.principal("carol"), "type", {"type": "intrusion-set"})
    committed(tenants.engine, digest.set_email, tenants.principal("carol"), "carol@charlie.example")
    _import(tenants, "alice", [actor("Group Only", level="amber")], "group:ab")  # not Charlie's to see
    committed(tenants.engine, watchlists.watch, tenants.principal("bob"), "type", {"type": "intrusion-set"})
    _import(tenants, "alice", [actor("Bob Has No Address", level="amber")], "group:ab")
    evaluate.run(tenants.engine)
    build_worker(tenants.engine, settings).drain()
    assert inbox.messages == []
