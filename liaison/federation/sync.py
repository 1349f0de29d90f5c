"""Sync with a partner instance over TAXII 2.1: pull what it shares with us, push what we share
with groups that include it.

Groups are agreements both sides configure under the same name: our group `borders` with the
partner's organisation in it pairs with the partner's collection aliased `group:borders`.
Every page is applied in one transaction together with its bookmark (the last date_added it
covered), so a sync cut anywhere resumes where it stopped, and applying a page twice is a no-op.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

import httpx
import orjson
from sqlalchemy import Connection, Engine, select

from liaison import audit, clock
from liaison.access.principal import Action, Principal
from liaison.config import get_settings
from liaison.db.tables import sync_state
from liaison.errors import InvalidInput, LiaisonError
from liaison.federation import partners, receive, signing
from liaison.store import sharing, tenancy
from liaison.taxii import MEDIA_TYPE as TAXII
from liaison.taxii import collections as colls



@dataclass
class SyncReport:
    partner: str
    pulled: int = 0
    pushed: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"partner": self.partner, "pulled": self.pulled, "pushed": self.pushed, "rejected": self.rejected,
                "errors": self.errors}


Progress = Callable[[str, int, int | None], None]  # (task, objects done in this step, total if known)


def _state(conn: Connection, partner_id: int, direction: str, collection_id: str):
    return conn.execute(select(sync_state).where(
        sync_state.c.partner_id == partner_id, sync_state.c.direction == direction,
        sync_state.c.collection_id == collection_id)).first()


def _save_state(conn: Connection, partner_id: int, direction: str, collection_id: str, *, bookmark: str | None,
                objects: int = 0, rejected: int = 0, error: str | None = None) -> None:
    row = _state(conn, partner_id, direction, collection_id)
    values = {"last_run_at": clock.now(), "last_error": error}
    if bookmark:
        values["bookmark"] = bookmark
    if row is None:
        conn.execute(sync_state.insert().values(partner_id=partner_id, direction=direction,
                                                collection_id=collection_id, objects=objects, rejected=rejected,
                                                **values))
    else:
        conn.execute(sync_state.update().where(
            sync_state.c.partner_id == partner_id, sync_state.c.direction == direction,
            sync_state.c.collection_id == collection_id,
        ).values(objects=row.objects + objects, rejected=row.rejected + rejected, **values))


def status(engine: Engine, only: str | None = None) -> list[dict]:
    """Every partner (or the one named `only`) with its sync state per direction and collection."""
    with engine.connect() as conn:
        found = []
        for p in partners.list_partners(conn):
            if only is not None and p.name != only:
                continue
            rows = conn.execute(select(sync_state).where(sync_state.c.partner_id == p.id)).all()
            found.append({
                "name": p.name, "url": p.url, "key_id": p.key_id, "signs": p.signs,
                "streams": [{"direction": r.direction, "collection": r.collection_id, "bookmark": r.bookmark,
                             "objects": r.objects, "rejected": r.rejected, "last_run_at": r.last_run_at,
                             "last_error": r.last_error} for r in rows],
            })
        return found


def status_for(engine: Engine, principal: Principal) -> list[dict]:
    """The partnerships `principal` may know of: every one with its state for operators; its own
    for a partner's sync account; the partners' names and keys for an organisation's users (who
    the partner members of their groups are), not how this instance reaches them."""
    if principal.may(Action.OPERATE):
        return status(engine)
    with engine.connect() as conn:
        if not principal.is_partner:
            return [{"name": p.name, "key_id": p.key_id, "signs": p.signs} for p in partners.list_partners(conn)]
        own = partners.partner_of_org(conn, principal.org_id)
    return status(engine, only=own.name) if own is not None else []


class _Remote:
    """The partner's TAXII API root, as our sync account there sees it."""

    def __init__(self, partner: partners.Partner, timeout: float):
        if not partner.url or not partner.token:
            raise InvalidInput(f"partner '{partner.name}' has no URL or token to sync with")
        self.http = httpx.Client(headers={"Authorization": f"Bearer {partner.token}", "Accept": TAXII},
                                 timeout=timeout)
        discovery = self._get(f"{partner.url}taxii2/")
        self.root = discovery.get("default") or discovery["api_roots"][0]

    def _get(self, url: str, **params) -> dict:
        response = self.http.get(url, params=params)
        response.raise_for_status()
        return response.json()

    def collections(self) -> dict[str, dict]:
        """Readable collections by alias."""
        found = self._get(f"{self.root}collections/").get("collections", [])
        return {c["alias"]: c for c in found if c.get("alias")}

    def objects(self, collection_id: str, added_after: str | None, limit: int) -> tuple[list, bool, str | None]:
        params = {"limit": limit, "match[version]": "all"}
        if added_after:
            params["added_after"] = added_after
        response = self.http.get(f"{self.root}collections/{collection_id}/objects/", params=params)
        response.raise_for_status()
        body = response.json()
        return body.get("objects", []), bool(body.get("more")), response.headers.get("X-TAXII-Date-Added-Last")

    def add(self, collection_id: str, objects_json: list[bytes]) -> dict:
        body = b'{"objects":[' + b",".join(objects_json) + b"]}"
        response = self.http.post(f"{self.root}collections/{collection_id}/objects/", content=body,
                                  headers={"Content-Type": TAXII})
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self.http.close()


def _bookmark(engine: Engine, partner_id: int, direction: str, collection_id: str) -> str | None:
    with engine.connect() as conn:
        row = _state(conn, partner_id, direction, collection_id)
    return row.bookmark if row else None


def _partner_view(engine: Engine, partner: partners.Partner):
    """The partner's organisation as a principal here, and our group collections it is in."""
    with engine.connect() as conn:
        principal = tenancy.org_principal(conn, partner.org_id)
        return principal, [c for c in colls.collections_for(conn, principal) if c.kind == "group"]


def _pull(engine: Engine, partner: partners.Partner, remote: _Remote, report: SyncReport, page: int,
          progress: Progress | None) -> None:
    principal, groups = _partner_view(engine, partner)
    ours = {c.label for c in groups}
    with engine.begin() as conn:
        own_key = signing.load_or_create(conn)
    for alias, theirs in remote.collections().items():
        if alias not in ours:
            continue  # only groups both sides agreed on carry intelligence between instances
        bookmark = _bookmark(engine, partner.id, "pull", theirs["id"])
        while True:
            objects, more, last = remote.objects(theirs["id"], bookmark, page)
            if not objects:
                break
            with engine.connect() as conn:
                screened = receive.screen(conn, partner, objects, own_key)
            successes, failures = receive.store_screened(
                engine, principal, alias, screened, sender=partner.name,
                also=lambda c, n=len(objects), r=len(screened.rejected), last=last: _save_state(
                    c, partner.id, "pull", theirs["id"], bookmark=last, objects=n, rejected=r))
            bookmark = last
            report.pulled += len(successes) - len(screened.own)  # our own objects coming back are not news
            report.rejected += len(failures)
            if progress:
                progress(f"pull {alias}", len(objects), None)
            if not more:
                break


def _push(engine: Engine, partner: partners.Partner, remote: _Remote, report: SyncReport, page: int,
          progress: Progress | None) -> None:
    theirs = remote.collections()
    origin = get_settings().instance_name
    principal, groups = _partner_view(engine, partner)
    for coll in groups:
        target = theirs.get(coll.label)
        if target is None or not target.get("can_write"):
            report.errors.append(f"{partner.name} offers no writable collection '{coll.label}' to us")
            continue
        bookmark = _bookmark(engine, partner.id, "push", coll.id)
        while True:
            with engine.connect() as conn:
                query = colls.Query(added_after=bookmark, versions=("all",), limit=page)
                found, more = colls.entries(conn, principal, coll, query)
                signed = signing.signatures_for(conn, found, origin)
            if not found:
                break
            # What came from this partner goes not back to it; everything else carries its origin's signature.
            outgoing = [signing.attach(e.raw, signed[e.pk]) for e in found if signed[e.pk].key_id != partner.key_id]
            result = remote.add(target["id"], outgoing) if outgoing else {"success_count": 0, "failure_count": 0}
            bookmark = found[-1].date_added
            with engine.begin() as conn:
                _save_state(conn, partner.id, "push", coll.id, bookmark=bookmark,
                            objects=result.get("success_count", 0), rejected=result.get("failure_count", 0))
                sharing.record_deliveries(conn, principal.org_id, coll.audience_id,
                                          [(e.stix_id, e.org_id) for e in found if signed[e.pk].key_id != partner.key_id])
            report.pushed += result.get("success_count", 0)
            report.rejected += result.get("failure_count", 0)
            if progress:
                progress(f"push {coll.label}", len(found), None)
            if not more:
                break


def sync_partner(engine: Engine, name: str, *, page: int = 1000, progress: Progress | None = None,
                 timeout: float = 60.0) -> SyncReport:
    """Pull then push with partner `name`. Network failures end the run with an error in the
    report and the state; what was applied stays, and the next run resumes from there."""
    with engine.connect() as conn:
        partner = partners.get_partner(conn, name)
    report = SyncReport(partner.name)
    remote, direction = None, "pull"
    try:
        remote = _Remote(partner, timeout)
        _pull(engine, partner, remote, report, page, progress)
        direction = "push"
        _push(engine, partner, remote, report, page, progress)
        with engine.begin() as conn:  # a whole run went through: earlier failures are past
            conn.execute(sync_state.delete().where(sync_state.c.partner_id == partner.id,
                                                   sync_state.c.collection_id == "*"))
    except (httpx.HTTPError, LiaisonError, KeyError, orjson.JSONDecodeError, ValueError) as exc:
        message = f"{type(exc).__name__}: {exc}"
        report.errors.append(message)
        with engine.begin() as conn:  # under the direction that failed, so the state says which
            _save_state(conn, partner.id, direction, "*", bookmark=None, error=message)
    finally:
        if remote:
            remote.close()
    audit.record_now(engine, "system", "federation.sync", partner.name, **report.as_dict())
    return report


def sync_all(engine: Engine, progress: Progress | None = None) -> list[SyncReport]:
    with engine.connect() as conn:
        names = [p.name for p in partners.list_partners(conn) if p.url and p.token]
    return [sync_partner(engine, name, progress=progress) for name in names]


class Scheduler:
    """Runs sync_all every `interval` seconds in a background thread while the server runs."""

    def __init__(self, engine: Engine, interval: float):
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="liaison-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                sync_all(self.engine)
            except Exception as exc:  # noqa: BLE001 - the schedule must outlive one failed run
                audit.record_now(self.engine, "system", "federation.sync-failed", None, error=str(exc))
