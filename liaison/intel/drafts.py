"""Open-source reports into knowledge: a text becomes a draft report that an analyst reviews and
publishes.

A draft keeps the text and its review: the entities, observables, dates, relationships and events
the extraction found, each with the analyst's decision. Drafts belong to the organisation that made
them and are shared with no one; publishing turns the accepted part into STIX objects (the report
with its Admiralty grading and mentions, new entities, observables, relationships) imported with
the audience and TLP the analyst chooses. The review document and the changes an analyst makes to
it are typed in `draft_review`. Every function works in the caller's transaction (`conn`).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection

from liaison import audit, clock
from liaison.access.principal import Action, Principal
from liaison.errors import Conflict, InvalidInput, NotFound
from liaison.ingest import boilerplate
from liaison.ingest.bundles import import_objects
from liaison.ingest.documents import Document, checked, read_document
from liaison.ingest.extract import statistical
from liaison.ingest.extract.dates import find_dateline
from liaison.ingest.extract.pipeline import Begun, extract
from liaison.ingest.extract.plugins import load_recognizer
from liaison.intel import draft_bundle, draft_changes
from liaison.intel import draft_review as typed
from liaison.intel.draft_changes import Change
from liaison.intel.draft_review import DateFrom, HistoryEntry, SeenReview
from liaison.intel.resolution import knowledge_index, visible_lookup
from liaison.stix import tlp
from liaison.stix.extensions import ADMIRALTY_CREDIBILITY, ADMIRALTY_RELIABILITY
from liaison.stix.timestamps import parse_ts
from liaison.store import drafts as store
from liaison.store import entities, reads, tenancy

STATUSES = ("draft", "published", "discarded")
#: Below this confidence a resolved entity is shown as uncertain.
REVIEW_CONFIDENCE = 0.85


@dataclass(frozen=True, slots=True)
class DraftView:
    """A draft as its organisation sees it; `seen` is its review as this reader sees it now."""

    id: str
    title: str
    status: str
    source: str | None
    published: str | None
    text: str
    seen: SeenReview
    created_at: str
    updated_at: str
    author: str
    report_id: str | None

    @property
    def review(self) -> dict:
        """The review as the API answers it (JSON)."""
        return self.seen.model_dump(mode="json")

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "source": self.source,
            "published": self.published,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "author": self.author,
            "report_id": self.report_id,
            "text": self.text,
            **self.review,
        }


def create_draft(
    conn: Connection,
    principal: Principal,
    *,
    text: str | None = None,
    content: bytes | None = None,
    filename: str | None = None,
    title: str | None = None,
    source: str | None = None,
    published: str | None = None,
    keep_boilerplate: bool = False,
    ner_plugin: str | None = None,
    use_model: bool = True,
    model_processes: int = 0,
) -> DraftView:
    """A draft from pasted `text` or a document (`content` named `filename`), extracted and resolved
    against what `principal` may see. The text is read without its boilerplate lines (cookie
    notices, 'Related posts', share buttons…), which the draft lists, unless `keep_boilerplate`.
    `published` (YYYY-MM-DD) is the article's date, the base of relative dates; by default the date
    the document declares, else the one its dateline gives ('DUSHANBE, 14 March 2025 —'), else
    today; the review says which (`date_from`). `ner_plugin` names the recogniser that adds its
    findings ('package.module:callable', the setting of that name); `use_model` False turns the
    statistical recogniser off (the setting `recogniser`); `model_processes` runs it in that
    many processes of its own, beside the rules (the setting `recogniser_processes`)."""
    principal.require(Action.WRITE)
    if principal.org_id is None:
        raise InvalidInput("a draft needs an organisation to hold it")
    if (text is None) == (content is None):
        raise InvalidInput("send either a text or a document")
    if text is not None:
        document = checked(Document(text), "the text", keep_boilerplate=keep_boilerplate)
    else:
        document = read_document(filename or "", content, keep_boilerplate=keep_boilerplate)
    reading = _begin(document.text, use_model, model_processes)  # the model reads while the rest gets ready
    day, date_from, date_said = _dated(document, published)
    extraction = _extract(conn, principal, document.text, day, ner_plugin, reading)
    draft_id = str(uuid.uuid4())
    review = typed.review_of(
        extraction,
        dropped=document.dropped,
        date_from=date_from,
        date_said=date_said,
        boilerplate_kept=keep_boilerplate,
    )
    title = (title or document.title or "Untitled")[:300]
    source = source or filename
    stamp = store.insert_draft(
        conn,
        principal,
        draft_id=draft_id,
        title=title,
        source=source,
        published=day.isoformat(),
        text=document.text,
        review=review.model_dump_json(),
    )
    # The view of what was just written, without reading it back.
    seen = typed.as_seen(conn, principal, review)
    return DraftView(
        draft_id, title, "draft", source, day.isoformat(), document.text, seen, stamp, stamp, principal.user_name, None
    )


def _begin(text: str, use_model: bool, model_processes: int) -> tuple[Begun | None, statistical.Status]:
    """The statistical recogniser, already reading `text`, and its status."""
    model, status = statistical.recogniser(use_model, processes=model_processes)
    return (Begun(model, text) if model is not None else None), status


def _extract(
    conn: Connection,
    principal: Principal,
    text: str,
    day: datetime.date,
    ner_plugin: str | None,
    reading: tuple[Begun | None, statistical.Status],
):
    model, status = reading
    return extract(
        text,
        published=day,
        index=knowledge_index(conn),
        lookup=visible_lookup(conn, principal),
        recognizer=load_recognizer(ner_plugin),
        model=model,
        recogniser=status,
    )


def _dated(document: Document, published: str | None) -> tuple[datetime.date, DateFrom, str | None]:
    """The article date, where it comes from, and the words of the dateline it was read from."""
    if day := _article_date(published, "published"):
        return day, "given", None
    if day := _article_date(document.published, None):
        return day, "document", None
    if (line := find_dateline(document.text)) is not None and typed.plausible_article_date(line.day):
        return line.day, "dateline", line.said
    return datetime.date.today(), "today", None


def _article_date(value: str | None, parameter: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value[:10])
        if not typed.plausible_article_date(day):
            raise ValueError(day)
        return day
    except ValueError:
        if parameter:
            first, last = typed.ARTICLE_YEARS
            raise InvalidInput(
                f"'{parameter}' must be a date like 2026-03-14, between {first} and {last}", parameter=parameter
            ) from None
        return None


def _view(conn: Connection, principal: Principal, row) -> DraftView:
    """The draft of `row` as `principal` may read it now."""
    return DraftView(
        row.id,
        row.title,
        row.status,
        row.source,
        row.published,
        row.text,
        typed.as_seen(conn, principal, typed.load(row.review)),
        row.created_at,
        row.updated_at,
        row.author,
        row.report_id,
    )


def get_draft(conn: Connection, principal: Principal, draft_id: str) -> DraftView:
    """A draft of the principal's organisation, as far as the principal sees the objects it was
    resolved to today; NotFound for any other id."""
    return _read(conn, principal, draft_id)


def _read(conn: Connection, principal: Principal, draft_id: str) -> DraftView:
    row = store.get_draft(conn, principal, draft_id)
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return _view(conn, principal, row)


def list_drafts(
    conn: Connection, principal: Principal, *, status: str | None = "draft", limit: int = 50, offset: int = 0
) -> tuple[int, list[dict]]:
    """(total, summaries) of the organisation's drafts with `status` (None: all), newest change first."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status '{status}'; one of {', '.join(STATUSES)}", parameter="status")
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("'limit' must be 1 to 500 and 'offset' not negative", parameter="limit")
    total, rows = store.list_drafts(conn, principal, status=status, limit=limit, offset=offset)
    return total, [dict(row._mapping) for row in rows]


def _editable(conn: Connection, principal: Principal, draft_id: str):
    principal.require(Action.WRITE)
    row = store.get_draft(conn, principal, draft_id, for_update=True)
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    if row.status != "draft":
        raise Conflict(f"draft {draft_id} is {row.status}; only drafts can be changed")
    return row


def review(conn: Connection, principal: Principal, draft_id: str, changes: Sequence[Change | dict]) -> DraftView:
    """Apply the analyst's changes (draft_changes.Change models, or their JSON form), in order, all
    or none; each is recorded in the review's history with who made it and when."""
    row = _editable(conn, principal, draft_id)
    doc = typed.load(row.review)
    applied = draft_changes.apply(
        conn, principal, doc, row.title, draft_changes.parse_changes(changes), text=row.text, published=row.published
    )
    store.update_draft(
        conn, principal, draft_id, review=doc.model_dump_json(), title=applied.title, published=applied.published
    )
    return _read(conn, principal, draft_id)


def restore_dropped(
    conn: Connection,
    principal: Principal,
    draft_id: str,
    *,
    ner_plugin: str | None = None,
    use_model: bool = True,
    model_processes: int = 0,
) -> DraftView:
    """Put the lines dropped as boilerplate back into the draft's text and extract it again, for
    the same title, source and article date: the findings are made anew (decisions taken on the
    old ones are gone; the history keeps them, and says the text was restored)."""
    row = _editable(conn, principal, draft_id)
    doc = typed.load(row.review)
    if not doc.dropped:
        raise Conflict("nothing was dropped from this draft's text")
    text = boilerplate.restore(row.text, [boilerplate.Dropped(d.line, d.text, d.reason, d.at) for d in doc.dropped])
    day = _article_date(row.published, None) or datetime.date.today()
    fresh = typed.review_of(
        _extract(conn, principal, text, day, ner_plugin, _begin(text, use_model, model_processes)),
        date_from=doc.date_from,
        date_said=doc.date_said,
        boilerplate_kept=True,
    )
    fresh.report_id = doc.report_id
    fresh.history = [
        *doc.history,
        HistoryEntry(op="restore", at=clock.now(), user=principal.user_name, lines=str(len(doc.dropped))),
    ]
    store.update_draft(conn, principal, draft_id, text=text, review=fresh.model_dump_json())
    return _read(conn, principal, draft_id)


def discard(conn: Connection, principal: Principal, draft_id: str) -> DraftView:
    """Set a draft aside; it is kept (status discarded) but can no longer be changed or published,
    unless restored (reopen) within RESTORABLE_FOR."""
    _editable(conn, principal, draft_id)
    store.update_draft(conn, principal, draft_id, status="discarded")
    return _read(conn, principal, draft_id)


#: How long a discarded draft can be restored (counted from its discarding, its last change).
RESTORABLE_FOR = datetime.timedelta(days=30)


def restorable_until(view: DraftView) -> str | None:
    """Until when a discarded draft can be restored (a date), or None when it cannot be."""
    if view.status != "discarded":
        return None
    until = parse_ts(view.updated_at) + RESTORABLE_FOR
    return until.date().isoformat() if until > datetime.datetime.now(datetime.UTC) else None


def reopen(conn: Connection, principal: Principal, draft_id: str) -> DraftView:
    """Restore a discarded draft (within RESTORABLE_FOR of its discarding) to a draft again."""
    principal.require(Action.WRITE)
    row = store.get_draft(conn, principal, draft_id, for_update=True)
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    view = _view(conn, principal, row)
    if view.status != "discarded":
        raise Conflict(f"draft {draft_id} is {view.status}; only a discarded draft is restored")
    if restorable_until(view) is None:
        days = RESTORABLE_FOR.days
        raise Conflict(f"draft {draft_id} was discarded more than {days} days ago and can no longer be restored")
    store.update_draft(conn, principal, draft_id, status="draft")
    return _read(conn, principal, draft_id)


def preview_bundle(
    conn: Connection,
    principal: Principal,
    draft_id: str,
    *,
    level: str = "amber",
    reliability: str = "F",
    credibility: int = 6,
) -> dict:
    """The STIX bundle publishing would produce, with the existing entities it refers to as the
    principal sees them. Observables are the organisation's own: those it holds as it holds them,
    the others as the object it would write for the value."""
    view = _read(conn, principal, draft_id)
    linked = _current_raw(conn, principal, _linked(view.seen))
    own = entities.own_current(conn, principal, _observables(view.seen))
    held = _current_raw(conn, principal, set(own))
    objects = draft_bundle.build(
        view, principal, level=level, reliability=reliability, credibility=credibility, refer=frozenset(held)
    )
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": [orjson.loads(raw) for raw in (linked | held).values()] + objects,
    }


def _current_raw(conn: Connection, principal: Principal, stix_ids: set[str]) -> dict[str, str]:
    """The JSON of the principal's current version of each of `stix_ids` it sees."""
    return {i: row.raw for i, row in reads.current_versions(conn, principal, stix_ids).items()}


def _linked(seen: SeenReview) -> set[str]:
    """The objects of others (or its own) that the accepted entities refer to."""
    return {e.ref for e in seen.entities if e.decision == "accept" and e.new_id is None}


def _observables(seen: SeenReview) -> set[str]:
    return {o.id for o in seen.observables if o.decision == "accept"}


def publish(
    conn: Connection,
    principal: Principal,
    draft_id: str,
    *,
    audience: str,
    level: str,
    reliability: str,
    credibility: int,
) -> str:
    """Import the accepted part of the draft, as the principal sees it now, with `audience` and TLP
    `level`, graded `reliability`/`credibility` (Admiralty); returns the report's STIX id."""
    if reliability not in ADMIRALTY_RELIABILITY:
        raise InvalidInput("source reliability must be one of A-F", parameter="reliability")
    if credibility not in ADMIRALTY_CREDIBILITY:
        raise InvalidInput("information credibility must be one of 1-6", parameter="credibility")
    if level not in tlp.LEVELS:
        raise InvalidInput(f"TLP must be one of {', '.join(tlp.LEVELS)}", parameter="tlp")
    row = _editable(conn, principal, draft_id)
    view = _view(conn, principal, row)
    target = tenancy.resolve_audience(conn, principal, audience)
    if not tlp.allows(level, target.kind):
        raise InvalidInput(f"TLP:{level.upper()} cannot be shared with '{target.label}'", parameter="tlp")
    linked = _current_raw(conn, principal, _linked(view.seen))
    strictest = max(
        (tlp.level_of_object(orjson.loads(raw)) or "clear" for raw in linked.values()),
        key=tlp.LEVELS.index,
        default="clear",
    )
    if tlp.LEVELS.index(level) < tlp.LEVELS.index(strictest):
        raise InvalidInput(
            f"the report links entities marked TLP:{strictest.upper()}; it cannot be TLP:{level.upper()}",
            parameter="tlp",
        )
    written = _reach(conn, principal, target, set(linked), _observables(view.seen))
    objects = draft_bundle.build(
        view,
        principal,
        level=level,
        reliability=reliability,
        credibility=credibility,
        refer=frozenset(_observables(view.seen) - written),
    )
    import_objects(conn, principal, objects, audience=audience)
    report_id = view.seen.report_id
    store.update_draft(conn, principal, draft_id, status="published", report_id=report_id)
    audit.record(
        conn,
        principal.user_name,
        "draft.publish",
        report_id,
        draft=draft_id,
        audience=target.label,
        tlp=level,
        grading=f"{reliability}{credibility}",
        objects=len(objects),
    )
    return report_id


def _reach(conn: Connection, principal: Principal, target, linked: set[str], observables: set[str]) -> set[str]:
    """Make sure the audience sees what the report refers to, and return the observables the
    publication writes as the organisation's own object for the value. What the organisation
    holds itself (observables, and its own identity, which every object names as its author) is
    shared with the audience as its TLP allows; an observable the audience does not see and the
    organisation does not hold is written as its own; another organisation's content is never
    copied, so anything else the audience does not see stops the publication."""
    identity = {principal.org_identity_id}
    narrower = entities.not_shared_with(conn, principal, linked | observables | identity, target.id, target.kind)
    own = entities.own_current(conn, principal, narrower & (observables | identity))
    shareable = {i for i, (_pk, level) in own.items() if tlp.allows(level, target.kind)}
    written = (narrower & observables) - set(own)
    hidden = narrower - shareable - written
    if hidden:
        raise InvalidInput(
            "the report would reveal objects its audience may not see: "
            + ", ".join(sorted(hidden))
            + f"; share it more narrowly than '{target.label}' or drop them",
            parameter="audience",
        )
    entities.share_own(conn, principal, [own[i][0] for i in sorted(shareable)], target.id)
    return written
