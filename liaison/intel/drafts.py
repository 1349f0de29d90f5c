"""Open-source reports into knowledge: a text becomes a draft report that an analyst reviews and
publishes.

A draft keeps the text and its review: the entities, observables, dates and relationships the
extraction found, each with the analyst's decision. Drafts belong to the organisation that made
them and are shared with no one; publishing turns the accepted part into STIX objects (the report
with its Admiralty grading and mentions, new entities, observables, relationships) imported with
the audience and TLP the analyst chooses, in one transaction.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

import orjson
from sqlalchemy import Engine

from liaison import audit, clock
from liaison.access.principal import Principal
from liaison.config import get_settings
from liaison.errors import Conflict, InvalidInput, NotFound
from liaison.ingest.bundles import import_into
from liaison.ingest.documents import Document, checked, read_document
from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.pipeline import Extraction, extract
from liaison.ingest.extract.plugins import load_recognizer
from liaison.intel import draft_bundle
from liaison.intel.resolution import NAMED_TYPES, knowledge_index, known_entity, visible_lookup
from liaison.stix import tlp
from liaison.stix.extensions import ADMIRALTY_CREDIBILITY, ADMIRALTY_RELIABILITY, LIAISON_IDENTITY
from liaison.store import drafts as store
from liaison.store import entities, tenancy

STATUSES = ("draft", "published", "discarded")
#: Below this confidence a resolved entity is shown as uncertain.
REVIEW_CONFIDENCE = 0.85


@dataclass(frozen=True, slots=True)
class DraftView:
    """A draft as its organisation sees it."""

    id: str
    title: str
    status: str
    source: str | None
    published: str | None
    text: str
    review: dict
    created_at: str
    updated_at: str
    author: str
    report_id: str | None

    def as_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "status": self.status, "source": self.source,
            "published": self.published, "created_at": self.created_at, "updated_at": self.updated_at,
            "author": self.author, "report_id": self.report_id, "text": self.text, **self.review,
        }


def create_draft(
    engine: Engine,
    principal: Principal,
    *,
    text: str | None = None,
    content: bytes | None = None,
    filename: str | None = None,
    title: str | None = None,
    source: str | None = None,
    published: str | None = None,
) -> DraftView:
    """A draft from pasted `text` or a document (`content` named `filename`), extracted and resolved
    against what `principal` may see. `published` (YYYY-MM-DD) is the article's date, the base of
    relative dates; by default the date the document declares, else today."""
    principal.require_writer()
    if principal.org_id is None:
        raise InvalidInput("a draft needs an organisation to hold it")
    if (text is None) == (content is None):
        raise InvalidInput("send either a text or a document")
    document = checked(Document(text), "the text") if text is not None else read_document(filename or "", content)
    day = _article_date(published, "published") or _article_date(document.published, None) or datetime.date.today()
    extraction = extract(
        document.text, published=day, index=knowledge_index(engine), lookup=visible_lookup(engine, principal),
        recognizer=load_recognizer(get_settings().ner_plugin),
    )
    review = review_of(extraction)
    draft_id = str(uuid.uuid4())
    with engine.begin() as conn:
        store.insert_draft(conn, principal, draft_id=draft_id, title=(title or document.title or "Untitled")[:300],
                           source=source or filename, published=day.isoformat(), text=document.text,
                           review=orjson.dumps(review).decode())
    return get_draft(engine, principal, draft_id)


def _article_date(value: str | None, parameter: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value[:10])
        if not 1900 <= day.year <= 2100:
            raise ValueError(day)
        return day
    except ValueError:
        if parameter:
            raise InvalidInput(f"'{parameter}' must be a date like 2026-03-14, between 1900 and 2100",
                               parameter=parameter) from None
        return None


def _mention(m) -> dict:
    return {"start": m.start, "end": m.end, "text": m.text, "source": m.source}


def review_of(extraction: Extraction) -> dict:
    """The review document of an extraction: every finding with a key, a planned STIX id and the
    decision 'accept' (the analyst drops or corrects what is wrong)."""
    entities_, keys = [], {}
    for number, entity in enumerate(extraction.entities, 1):
        key = keys[entity.key] = f"e{number}"
        entities_.append({
            "key": key, "kind": entity.kind, "name": entity.name, "ref": entity.ref,
            "new_id": None if entity.ref else draft_bundle.new_entity_id(entity.kind, entity.name, entity.attrs),
            "confidence": round(entity.confidence, 3), "decision": "accept",
            "attrs": {k: v for k, v in entity.attrs.items() if isinstance(v, (str, int, float, list))},
            "conflicts": entity.conflicts,
            "candidates": [{"ref": r, "name": n, "confidence": c} for r, n, c in entity.candidates],
            "mentions": [_mention(m) for m in entity.mentions],
        })
    observables = []
    for number, (okey, m) in enumerate(extraction.observables.items(), 1):
        key = keys[okey] = f"o{number}"
        mentions = [_mention(x) for x in extraction.mentions if f"{x.kind}:{x.value}" == okey]
        observables.append({"key": key, "kind": m.kind, "value": m.value, "attrs": m.attrs, "decision": "accept",
                            "id": draft_bundle.observable_id(m.kind, m.value, m.attrs), "mentions": mentions})
    relationships = [
        {"key": f"r{number}", "source": keys[s.source], "target": keys[s.target], "type": s.relationship_type,
         "attrs": s.attrs, "decision": "accept", "id": f"relationship--{uuid.uuid4()}"}
        for number, s in enumerate(extraction.relationships, 1)
    ]
    return {
        "report_id": f"report--{uuid.uuid4()}", "extracted_at": clock.now(),
        "entities": entities_, "observables": observables,
        "dates": [{**_mention(d), "value": d.value} for d in extraction.dates],
        "relationships": relationships, "history": [],
    }


def _view(row) -> DraftView:
    return DraftView(row.id, row.title, row.status, row.source, row.published, row.text, orjson.loads(row.review),
                     row.created_at, row.updated_at, row.author, row.report_id)


def get_draft(engine: Engine, principal: Principal, draft_id: str) -> DraftView:
    """A draft of the principal's organisation, as far as the principal may see the objects it was
    resolved to today; NotFound for any other id."""
    with engine.connect() as conn:
        row = store.get_draft(conn, principal, draft_id)
        if row is None:
            raise NotFound(f"no draft {draft_id}")
        view = _view(row)
        refs = {e["ref"] for e in view.review["entities"] if e["ref"]}
        refs |= {c["ref"] for e in view.review["entities"] for c in e["candidates"]}
        seen = set(entities.current_raw(conn, principal, refs)) if refs else set()
    _forget_unseen(view.review, refs - seen)
    return view


def _forget_unseen(review_doc: dict, unseen: set[str]) -> None:
    """Blank what the draft says of objects the principal no longer sees (a group left, a share
    narrowed since the extraction): their links, candidates and the flags naming them."""
    if not unseen:
        return
    for entity in review_doc["entities"]:
        if entity["ref"] in unseen:
            entity.update(ref=None, name=entity["mentions"][0]["text"] if entity["mentions"] else entity["key"],
                          no_longer_visible=True)
        entity["candidates"] = [c for c in entity["candidates"] if c["ref"] not in unseen]
        entity["conflicts"] = [c for c in entity["conflicts"] if not any(ref in c for ref in unseen)]


def list_drafts(engine: Engine, principal: Principal, *, status: str | None = "draft", limit: int = 50,
                offset: int = 0) -> tuple[int, list[dict]]:
    """(total, summaries) of the organisation's drafts with `status` (None: all), newest change first."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status '{status}'; one of {', '.join(STATUSES)}", parameter="status")
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("'limit' must be 1 to 500 and 'offset' not negative", parameter="limit")
    with engine.connect() as conn:
        total, rows = store.list_drafts(conn, principal, status=status, limit=limit, offset=offset)
    return total, [dict(row._mapping) for row in rows]


def _editable(conn, principal: Principal, draft_id: str):
    principal.require_writer()
    row = store.get_draft(conn, principal, draft_id, for_update=True)
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    if row.status != "draft":
        raise Conflict(f"draft {draft_id} is {row.status}; only drafts can be changed")
    return row


def review(engine: Engine, principal: Principal, draft_id: str, changes: list[dict]) -> DraftView:
    """Apply the analyst's changes, all or none. Each change is one of
    {op: accept|drop, key}, {op: rename, key, name}, {op: kind, key, kind}, {op: link, key, ref},
    {op: unlink, key}, {op: combine, key, into}, {op: title, title}."""
    if not isinstance(changes, list) or not changes:
        raise InvalidInput("send a non-empty list of changes")
    with engine.begin() as conn:
        row = _editable(conn, principal, draft_id)
        doc, title = orjson.loads(row.review), row.title
        for number, change in enumerate(changes):
            if not isinstance(change, dict):
                raise InvalidInput(f"change #{number} is not an object", index=number)
            try:
                title = _apply(conn, principal, doc, change, title)
            except InvalidInput as exc:
                raise InvalidInput(f"change #{number}: {exc.message}", index=number, **exc.details) from None
            doc["history"].append({**{k: str(v)[:300] for k, v in change.items() if k not in ("at", "user")},
                                   "at": clock.now(), "user": principal.user_name})
        store.update_draft(conn, principal, draft_id, review=orjson.dumps(doc).decode(), title=title)
    return get_draft(engine, principal, draft_id)


def _item(doc: dict, key) -> dict:
    for section in ("entities", "observables", "relationships"):
        for item in doc[section]:
            if item["key"] == key:
                return item
    raise InvalidInput(f"no finding '{key}' in this draft", key=key)


def _apply(conn, principal: Principal, doc: dict, change: dict, title: str) -> str:
    op = change.get("op")
    if op == "title":
        new = str(change.get("title") or "").strip()
        if not new:
            raise InvalidInput("a title cannot be empty")
        return new[:300]
    item = _item(doc, change.get("key"))
    is_entity = item["key"].startswith("e")
    if item.get("combined_into"):
        raise InvalidInput(f"'{item['key']}' was combined into '{item['combined_into']}'; change that one")
    if op in ("accept", "drop"):
        item["decision"] = op
    elif op == "rename" and is_entity:
        name = str(change.get("name") or "").strip()
        if not name:
            raise InvalidInput("a name cannot be empty")
        item.update(name=name, ref=None, confidence=1.0,
                    new_id=draft_bundle.new_entity_id(item["kind"], name, item["attrs"]))
    elif op == "kind" and is_entity:
        if change.get("kind") not in kinds.ENTITY_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(kinds.ENTITY_KINDS)}")
        if change["kind"] == kinds.LOCATION and not (item["attrs"].get("country") or item["attrs"].get("latitude")):
            raise InvalidInput("a place needs a country or coordinates: link it to a known location instead")
        item.update(kind=change["kind"], ref=None,
                    new_id=draft_bundle.new_entity_id(change["kind"], item["name"], item["attrs"]))
    elif op == "link" and is_entity:
        _link(conn, principal, item, str(change.get("ref") or ""))
    elif op == "unlink" and is_entity:
        item.update(ref=None, confidence=1.0, new_id=draft_bundle.new_entity_id(item["kind"], item["name"], item["attrs"]))
    elif op == "combine" and is_entity:
        into = _item(doc, change.get("into"))
        if into is item or not into["key"].startswith("e") or into.get("combined_into") \
                or into["decision"] == "drop":
            raise InvalidInput("combine an entity into another entity of the draft that is kept")
        if (into["kind"] == kinds.PERSON) != (item["kind"] == kinds.PERSON) or \
                (into["kind"] == kinds.LOCATION) != (item["kind"] == kinds.LOCATION):
            raise InvalidInput(f"a {item['kind']} cannot be combined with a {into['kind']}")
        into["mentions"] = sorted(into["mentions"] + item["mentions"], key=lambda m: m["start"])
        item.update(decision="drop", mentions=[], combined_into=into["key"])
        for rel in doc["relationships"]:
            rel["source"] = into["key"] if rel["source"] == item["key"] else rel["source"]
            rel["target"] = into["key"] if rel["target"] == item["key"] else rel["target"]
        doc["relationships"] = [r for r in doc["relationships"] if r["source"] != r["target"]]
    else:
        raise InvalidInput(f"unknown change '{op}' for '{item['key']}'")
    return title


def _link(conn, principal: Principal, item: dict, ref: str) -> None:
    """Resolve a draft entity to an existing object the principal may see."""
    raw = entities.current_raw(conn, principal, {ref}).get(ref)
    if raw is None:
        raise NotFound(f"no object {ref}")
    known = known_entity(orjson.loads(raw)) if ref.split("--")[0] in NAMED_TYPES else None
    if known is None:
        raise InvalidInput(f"{ref} is not a person, organisation, group or place")
    item.update(ref=ref, name=known.name, kind=known.kind, confidence=1.0, new_id=None)


def discard(engine: Engine, principal: Principal, draft_id: str) -> DraftView:
    """Set a draft aside; it is kept (status discarded) but can no longer be changed or published."""
    with engine.begin() as conn:
        _editable(conn, principal, draft_id)
        store.update_draft(conn, principal, draft_id, status="discarded")
    return get_draft(engine, principal, draft_id)


def preview_bundle(engine: Engine, principal: Principal, draft_id: str, *, level: str = "amber",
                   reliability: str = "F", credibility: int = 6) -> dict:
    """The STIX bundle publishing would produce (with the existing entities it refers to, as the
    principal sees them)."""
    view = get_draft(engine, principal, draft_id)
    with engine.connect() as conn:
        linked, stored = _existing(conn, principal, view.review)
    objects = draft_bundle.build(view, principal, level=level, reliability=reliability, credibility=credibility,
                                 stored=frozenset(stored))
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
            "objects": [orjson.loads(raw) for raw in (linked | stored).values()] + objects}


def _existing(conn, principal: Principal, review_doc: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The accepted entities the draft links to and the accepted observables already stored, as the
    principal sees them (id -> JSON)."""
    refs = {e["ref"] for e in review_doc["entities"] if e["decision"] == "accept" and e["ref"]}
    found = entities.current_raw(conn, principal, refs)
    missing = refs - set(found)
    if missing:
        raise Conflict(f"entities no longer visible to you: {', '.join(sorted(missing))}; unlink or drop them")
    observables = {o["id"] for o in review_doc["observables"] if o["decision"] == "accept"}
    return found, entities.current_raw(conn, principal, observables)


def _ownerless(obj: dict) -> bool:
    """Observables (they carry no author) and the places Liaison makes from its gazetteer."""
    return "created" not in obj or obj.get("created_by_ref") == LIAISON_IDENTITY["id"]


def publish(engine: Engine, principal: Principal, draft_id: str, *, audience: str, level: str,
            reliability: str, credibility: int) -> str:
    """Import the accepted part of the draft with `audience` and TLP `level`, graded
    `reliability`/`credibility` (Admiralty); returns the report's STIX id."""
    if reliability not in ADMIRALTY_RELIABILITY:
        raise InvalidInput("source reliability must be one of A-F", parameter="reliability")
    if credibility not in ADMIRALTY_CREDIBILITY:
        raise InvalidInput("information credibility must be one of 1-6", parameter="credibility")
    if level not in tlp.LEVELS:
        raise InvalidInput(f"TLP must be one of {', '.join(tlp.LEVELS)}", parameter="tlp")
    with engine.begin() as conn:
        row = _editable(conn, principal, draft_id)
        view = _view(row)
        target = tenancy.resolve_audience(conn, principal, audience)
        if not tlp.allows(level, target.kind):
            raise InvalidInput(f"TLP:{level.upper()} cannot be shared with '{target.label}'", parameter="tlp")
        linked, stored = _existing(conn, principal, view.review)
        strictest = max((tlp.level_of_object(orjson.loads(raw)) or "clear"
                         for raw in linked.values()), key=tlp.LEVELS.index, default="clear")
        if tlp.LEVELS.index(level) < tlp.LEVELS.index(strictest):
            raise InvalidInput(f"the report links entities marked TLP:{strictest.upper()}; it cannot be "
                               f"TLP:{level.upper()}", parameter="tlp")
        # What the report refers to must be visible to its audience. Objects no organisation owns
        # (observables, gazetteer places) are shared along: the organisation's own holding for itself
        # alone is widened, or it holds them (as it sees them) for the audience; anything else shared
        # more narrowly stops the publication.
        referred = set(linked) | set(stored)
        narrower = entities.not_shared_with(conn, principal, referred, target.id, target.kind)
        seen = linked | stored
        ownerless = {i for i in narrower if _ownerless(orjson.loads(seen[i]))}
        ownerless -= entities.widen_own_holdings(conn, principal, ownerless, target.id)
        if ownerless:  # held by others only: the organisation holds what it sees, for the audience
            import_into(conn, principal, [orjson.loads(seen[i]) for i in sorted(ownerless)], audience=audience)
        narrower = entities.not_shared_with(conn, principal, narrower, target.id, target.kind)
        if narrower:
            raise InvalidInput(
                "the report would reveal objects its audience may not see: " + ", ".join(sorted(narrower))
                + f"; share it more narrowly than '{target.label}' or drop them", parameter="audience")
        objects = draft_bundle.build(view, principal, level=level, reliability=reliability, credibility=credibility,
                                     stored=frozenset(stored))
        import_into(conn, principal, objects, audience=audience)
        report_id = view.review["report_id"]
        store.update_draft(conn, principal, draft_id, status="published", report_id=report_id)
        audit.record(conn, principal.user_name, "draft.publish", report_id, draft=draft_id, audience=target.label,
                     tlp=level, grading=f"{reliability}{credibility}", objects=len(objects))
    return report_id
