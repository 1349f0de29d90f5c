"""Sync with a partner instance over TAXII 2.1: pull what it shares with us, push what we share
with groups that include it.

Groups are agreements both sides configure under the same name: our group `borders` with the
partner's organisation in it pairs with the partner's collection aliased `group:borders`.
Every page is applied in one transaction together with its bookmark (the last date_added it
covered), so a sync cut anywhere resumes where it stopped, and applying a page twice is a no-op.
That is why a sync takes the engine and opens its own transactions, page by page, instead of
working in a caller's: it runs from the CLI, the scheduler and an operator's request alike.

Federation and the TAXII server never import each other: the collections a sync pushes are read
through `store/collections.py`, received pages are screened by `ingest/received.py`, signatures
come from `store/provenance.py` and `stix/provenance.py`, and the media type from `stix/media.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import orjson
from sqlalchemy import Connection, Engine

from liaison import audit
from liaison.access.principal import Action, Principal
from liaison.errors import InvalidInput, LiaisonError
from liaison.federation.hits import deliver
from liaison.federation.partners import get_partner, list_partners
from liaison.ingest import received
from liaison.stix.media import TAXII
from liaison.stix.provenance import attach
from liaison.store import collections as colls
from liaison.store import partners as registry
from liaison.store import sharing, sync_state, tenancy
from liaison.store.partners import Partner
from liaison.store.provenance import instance_key, signatures_for


@dataclass
class SyncReport:
    partner: str
    pulled: int = 0
    pushed: int = 0
    rejected: int = 0
    #: Requests for information and decisions delivered to the partner.
    requests: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "partner": self.partner,
            "pulled": self.pulled,
            "pushed": self.pushed,
            "rejected": self.rejected,
            "requests": self.requests,
            "errors": self.errors,
        }


Progress = Callable[[str, int, int | None], None]  # (task, objects done in this step, total if known)


def _streams(conn: Connection, p: Partner) -> dict:
    return {
        "name": p.name,
        "url": p.url,
        "key_id": p.key_id,
        "signs": p.signs,
        "streams": [
            {
                "direction": r.direction,
                "collection": r.collection_id,
                "bookmark": r.bookmark,
                "objects": r.objects,
                "rejected": r.rejected,
                "last_run_at": r.last_run_at,
                "last_error": r.last_error,
            }
            for r in sync_state.streams(conn, p.id)
        ],
    }


def status(conn: Connection) -> list[dict]:
    """Every partner with its sync state per direction and collection."""
    return [_streams(conn, p) for p in list_partners(conn)]


def status_for(conn: Connection, principal: Principal) -> list[dict]:
    """The partnerships `principal` may know of: every one with its state for operators; its own
    for a partner's sync account; the partners' names and keys for an organisation's users (who
    the partner members of their groups are), not how this instance reaches them."""
    if principal.may(Action.OPERATE):
        return status(conn)
    if not principal.is_partner:
        return [{"name": p.name, "key_id": p.key_id, "signs": p.signs} for p in list_partners(conn)]
    own = registry.of_org(conn, principal.org_id)
    return [_streams(conn, own)] if own is not None else []


class _Remote:
    """The partner's TAXII API root, as our sync account there sees it."""

    def __init__(self, partner: Partner, timeout: float):
        if not partner.url or not partner.token:
            raise InvalidInput(f"partner '{partner.name}' has no URL or token to sync with")
        self.http = httpx.Client(headers={"Authorization": f"Bearer {partner.token}", "Accept": TAXII}, timeout=timeout)
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
        response = self.http.post(
            f"{self.root}collections/{collection_id}/objects/", content=body, headers={"Content-Type": TAXII}
        )
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self.http.close()


def _bookmark(engine: Engine, partner_id: int, direction: str, collection_id: str) -> str | None:
    with engine.connect() as conn:
        return sync_state.bookmark(conn, partner_id, direction, collection_id)


def _partner_view(engine: Engine, partner: Partner) -> tuple[Principal, list[colls.Collection]]:
    """The partner's organisation as a principal here, and our group collections it is in."""
    with engine.connect() as conn:
        principal = tenancy.org_principal(conn, partner.org_id)
        return principal, [c for c in colls.collections_for(conn, principal) if c.kind == "group"]


def _pull(
    engine: Engine, partner: Partner, remote: _Remote, report: SyncReport, page: int, progress: Progress | None
) -> None:
    principal, groups = _partner_view(engine, partner)
    ours = {c.spec for c in groups}
    with engine.connect() as conn:
        own_key = instance_key(conn)
    for alias, theirs in remote.collections().items():
        if alias not in ours:
            continue  # only groups both sides agreed on carry intelligence between instances
        bookmark = _bookmark(engine, partner.id, "pull", theirs["id"])
        while True:
            objects, more, last = remote.objects(theirs["id"], bookmark, page)
            if not objects:
                break
            with engine.begin() as conn:  # the page, its rejections' audit and its bookmark commit together
                screened = received.screen(conn, partner, objects, own_key)
                successes, failures = received.store_screened(conn, principal, alias, screened, sender=partner.name)
                sync_state.save(
                    conn,
                    partner.id,
                    "pull",
                    theirs["id"],
                    bookmark=last,
                    objects=len(objects),
                    rejected=len(screened.rejected),
                )
            bookmark = last
            report.pulled += len(successes) - len(screened.own)  # our own objects coming back are not news
            report.rejected += len(failures)
            if progress:
                progress(f"pull {alias}", len(objects), None)
            if not more:
                break


def _push(
    engine: Engine,
    partner: Partner,
    remote: _Remote,
    report: SyncReport,
    page: int,
    progress: Progress | None,
    origin: str,
) -> None:
    theirs = remote.collections()
    principal, groups = _partner_view(engine, partner)
    for coll in groups:
        target = theirs.get(coll.spec)
        if target is None or not target.get("can_write"):
            report.errors.append(f"{partner.name} offers no writable collection '{coll.spec}' to us")
            continue
        bookmark = _bookmark(engine, partner.id, "push", coll.id)
        while True:
            with engine.connect() as conn:
                query = colls.Query(added_after=bookmark, versions=("all",), limit=page)
                found, more = colls.entries(conn, principal, coll.audience_id, query)
                signed = signatures_for(conn, found, origin)
            if not found:
                break
            # What came from this partner goes not back to it; everything else carries its origin's signature.
            outgoing = [e for e in found if signed[e.pk].key_id != partner.key_id]
            result = (
                remote.add(target["id"], [attach(e.raw, signed[e.pk]) for e in outgoing])
                if outgoing
                else {"success_count": 0, "failure_count": 0}
            )
            bookmark = found[-1].date_added
            with engine.begin() as conn:  # the page's bookmark and deliveries, once the partner took it
                sync_state.save(
                    conn,
                    partner.id,
                    "push",
                    coll.id,
                    bookmark=bookmark,
                    objects=result.get("success_count", 0),
                    rejected=result.get("failure_count", 0),
                )
                sharing.record_deliveries(
                    conn, principal.org_id, coll.audience_id, [(e.stix_id, e.org_id) for e in outgoing]
                )
            report.pushed += result.get("success_count", 0)
            report.rejected += result.get("failure_count", 0)
            if progress:
                progress(f"push {coll.spec}", len(found), None)
            if not more:
                break


def sync_partner(
    engine: Engine, name: str, origin: str, *, page: int = 1000, progress: Progress | None = None, timeout: float = 60.0
) -> SyncReport:
    """Pull then push with partner `name`, signing what this instance originates as `origin` (its
    instance name). Network failures end the run with an error in the report and the state; what
    was applied stays, and the next run resumes from there."""
    with engine.connect() as conn:
        partner = get_partner(conn, name)
    report = SyncReport(partner.name)
    remote, direction = None, "pull"
    try:
        remote = _Remote(partner, timeout)
        _pull(engine, partner, remote, report, page, progress)
        direction = "push"
        _push(engine, partner, remote, report, page, progress, origin)
        with engine.begin() as conn:  # requests for information and decisions the partner has yet to get
            report.requests = deliver(conn, partner, timeout=timeout)
        with engine.begin() as conn:  # a whole run went through: earlier failures are past
            sync_state.clear_run_failures(conn, partner.id)
    except (httpx.HTTPError, LiaisonError, KeyError, orjson.JSONDecodeError, ValueError) as exc:
        message = f"{type(exc).__name__}: {exc}"
        report.errors.append(message)
        with engine.begin() as conn:  # under the direction that failed, so the state says which
            sync_state.save(conn, partner.id, direction, sync_state.RUN, bookmark=None, error=message)
    finally:
        if remote:
            remote.close()
    with engine.begin() as conn:
        audit.record(conn, "system", "federation.sync", partner.name, **report.as_dict())
    return report


def sync_all(engine: Engine, origin: str, progress: Progress | None = None) -> list[SyncReport]:
    """sync_partner with every partner this instance has a URL and a token for."""
    with engine.connect() as conn:
        names = [p.name for p in list_partners(conn) if p.url and p.token]
    return [sync_partner(engine, name, origin, progress=progress) for name in names]


def scheduled_sync(engine: Engine, origin: str) -> None:
    """The partner sync schedule's job (registered with the job queue by the composition root):
    sync_all, its failure audited before the job records it."""
    try:
        sync_all(engine, origin)
    except Exception as exc:
        with engine.begin() as conn:
            audit.record(conn, "system", "federation.sync-failed", None, error=str(exc))
        raise
