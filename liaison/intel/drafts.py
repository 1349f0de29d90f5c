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
from liaison.access.principal import Action, Principal
from liaison.config import get_settings
from liaison.errors import Conflict, InvalidInput, NotFound
from liaison.ingest.bundles import import_into
from liaison.ingest.documents import Document, checked, read_document
from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.pipeline import Extraction, Flag, describe, extract
from liaison.ingest.extract.plugins import load_recognizer
from liaison.intel import draft_bundle
from liaison.intel.resolution import (
    NAMED_TYPES,
    knowledge_index,
    known_entity,
    visible_entities,
    visible_lookup,
)
from liaison.stix import tlp
from liaison.stix.extensions import ADMIRALTY_CREDIBILITY, ADMIRALTY_RELIABILITY
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
    principal.require(Action.WRITE)
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
    decision 'accept' (the analyst drops or corrects what is wrong). It keeps what the text says
    and the ids of the known objects it was resolved to, never their content: names, attributes
    and flags about them are made when the draft is read (_as_seen), from what its reader sees."""
    entities_, keys = [], {}
    for number, entity in enumerate(extraction.entities, 1):
        key = keys[entity.key] = f"e{number}"
        attrs = {k: v for k, v in entity.said.items() if isinstance(v, (str, int, float, list))}
        entities_.append({
            "key": key, "kind": entity.kind, "name": entity.text_name, "ref": entity.ref,
            "new_id": None if entity.ref else draft_bundle.new_entity_id(entity.kind, entity.text_name, attrs),
            "confidence": round(entity.confidence, 3), "decision": "accept", "attrs": attrs,
            "flags": [{"kind": f.kind, "ref": f.ref, "said": f.said} for f in entity.flags],
            "candidates": [{"ref": r, "confidence": c} for r, _name, c in entity.candidates],
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


def _view(conn, principal: Principal, row) -> DraftView:
    """The draft of `row` as `principal` may read it now."""
    return DraftView(row.id, row.title, row.status, row.source, row.published, row.text,
                     _as_seen(conn, principal, orjson.loads(row.review)), row.created_at, row.updated_at,
                     row.author, row.report_id)


def get_draft(engine: Engine, principal: Principal, draft_id: str) -> DraftView:
    """A draft of the principal's organisation, as far as the principal sees the objects it was
    resolved to today; NotFound for any other id."""
    with engine.connect() as conn:
        return _read(conn, principal, draft_id)


def _read(conn, principal: Principal, draft_id: str) -> DraftView:
    row = store.get_draft(conn, principal, draft_id)
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return _view(conn, principal, row)


def _as_seen(conn, principal: Principal, review_doc: dict) -> dict:
    """The review with everything about known objects made from what `principal` sees of them now
    (a group left, a share narrowed or a version sanitised since the extraction change it): their
    names, kinds and attributes, the candidates and the flags in words. A link to an object the
    principal no longer sees is dropped, and the finding is a new one with what the text says."""
    found = review_doc["entities"]
    refs = {e["ref"] for e in found if e["ref"]} | {c["ref"] for e in found for c in e["candidates"]}
    refs |= {f["ref"] for e in found for f in e.get("flags", ())}
    known = visible_entities(conn, principal, refs)
    return {**review_doc, "entities": [_entity_as_seen(e, known, review_doc["report_id"]) for e in found]}


def _entity_as_seen(stored: dict, known: dict, report_id: str) -> dict:
    entity = {k: v for k, v in stored.items() if k != "flags"}
    linked = known.get(stored["ref"]) if stored["ref"] else None
    if stored["ref"] and linked is None:
        # The same new id on every read, so the preview shows what publishing makes.
        entity.update(_detached(stored, seed=f"{report_id}/{stored['key']}"), no_longer_visible=True)
    elif linked is not None and _gazetteer_place(stored):
        entity["new_id"] = stored["ref"]  # the publisher makes it from the text, as anyone would
    elif linked is not None:
        entity.update(name=linked.name, kind=linked.kind,
                      attrs={**stored["attrs"], **{k: v for k, v in linked.attrs.items() if k != "roles"}})
    entity["candidates"] = [{"ref": c["ref"], "name": known[c["ref"]].name, "confidence": c["confidence"]}
                            for c in stored["candidates"] if c["ref"] in known]
    candidates = [(c["ref"], c["name"], c["confidence"]) for c in entity["candidates"]]
    flags = [Flag(**f) for f in stored.get("flags", ()) if f["kind"] == "namesake" or f["ref"] == entity["ref"]]
    entity["conflicts"] = [text for f in flags if (text := describe(f, known, candidates, entity["confidence"]))]
    return entity


def _gazetteer_place(entity: dict) -> bool:
    """A place linked to the very object the gazetteer makes of the text's name and facts."""
    return entity["kind"] == kinds.LOCATION and \
        entity["ref"] == draft_bundle.new_entity_id(kinds.LOCATION, entity["name"], entity["attrs"])


def _detached(entity: dict, seed: str | None = None) -> dict:
    """A linked entity's changes when its link goes: it is what the text says (its name and
    attributes), a new object."""
    return {"ref": None, "confidence": 1.0,
            "new_id": draft_bundle.new_entity_id(entity["kind"], entity["name"], entity["attrs"], seed=seed)}


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
    principal.require(Action.WRITE)
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
        item["kind"] = change["kind"]
        item.update(_detached(item))
    elif op == "link" and is_entity:
        _link(conn, principal, item, str(change.get("ref") or ""))
    elif op == "unlink" and is_entity:
        item.update(_detached(item))
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
    item.update(ref=ref, kind=known.kind, confidence=1.0, new_id=None)  # its name and attributes: when read


def discard(engine: Engine, principal: Principal, draft_id: str) -> DraftView:
    """Set a draft aside; it is kept (status discarded) but can no longer be changed or published."""
    with engine.begin() as conn:
        _editable(conn, principal, draft_id)
        store.update_draft(conn, principal, draft_id, status="discarded")
    return get_draft(engine, principal, draft_id)


def preview_bundle(engine: Engine, principal: Principal, draft_id: str, *, level: str = "amber",
                   reliability: str = "F", credibility: int = 6) -> dict:
    """The STIX bundle publishing would produce, with the existing entities it refers to as the
    principal sees them. Observables are the organisation's own: those it holds as it holds them,
    the others as the object it would write for the value."""
    with engine.connect() as conn:
        view = _read(conn, principal, draft_id)
        linked = entities.current_raw(conn, principal, _linked(view.review))
        own = entities.own_current(conn, principal, _observables(view.review))
        held = entities.current_raw(conn, principal, set(own))
    objects = draft_bundle.build(view, principal, level=level, reliability=reliability, credibility=credibility,
                                 refer=frozenset(held))
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
            "objects": [orjson.loads(raw) for raw in (linked | held).values()] + objects}


def _linked(review_doc: dict) -> set[str]:
    """The objects of others (or its own) that the accepted entities refer to."""
    return {e["ref"] for e in review_doc["entities"] if e["decision"] == "accept" and e["new_id"] is None}


def _observables(review_doc: dict) -> set[str]:
    return {o["id"] for o in review_doc["observables"] if o["decision"] == "accept"}


def publish(engine: Engine, principal: Principal, draft_id: str, *, audience: str, level: str,
            reliability: str, credibility: int) -> str:
    """Import the accepted part of the draft, as the principal sees it now, with `audience` and TLP
    `level`, graded `reliability`/`credibility` (Admiralty); returns the report's STIX id."""
    if reliability not in ADMIRALTY_RELIABILITY:
        raise InvalidInput("source reliability must be one of A-F", parameter="reliability")
    if credibility not in ADMIRALTY_CREDIBILITY:
        raise InvalidInput("information credibility must be one of 1-6", parameter="credibility")
    if level not in tlp.LEVELS:
        raise InvalidInput(f"TLP must be one of {', '.join(tlp.LEVELS)}", parameter="tlp")
    with engine.begin() as conn:
        row = _editable(conn, principal, draft_id)
        view = _view(conn, principal, row)
        target = tenancy.resolve_audience(conn, principal, audience)
        if not tlp.allows(level, target.kind):
            raise InvalidInput(f"TLP:{level.upper()} cannot be shared with '{target.label}'", parameter="tlp")
        linked = entities.current_raw(conn, principal, _linked(view.review))
        strictest = max((tlp.level_of_object(orjson.loads(raw)) or "clear"
                         for raw in linked.values()), key=tlp.LEVELS.index, default="clear")
        if tlp.LEVELS.index(level) < tlp.LEVELS.index(strictest):
            raise InvalidInput(f"the report links entities marked TLP:{strictest.upper()}; it cannot be "
                               f"TLP:{level.upper()}", parameter="tlp")
        written = _reach(conn, principal, target, set(linked), _observables(view.review))
        objects = draft_bundle.build(view, principal, level=level, reliability=reliability, credibility=credibility,
                                     refer=frozenset(_observables(view.review) - written))
        import_into(conn, principal, objects, audience=audience)
        report_id = view.review["report_id"]
        store.update_draft(conn, principal, draft_id, status="published", report_id=report_id)
        audit.record(conn, principal.user_name, "draft.publish", report_id, draft=draft_id, audience=target.label,
                     tlp=level, grading=f"{reliability}{credibility}", objects=len(objects))
    return report_id


def _reach(conn, principal: Principal, target, linked: set[str], observables: set[str]) -> set[str]:
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
            "the report would reveal objects its audience may not see: " + ", ".join(sorted(hidden))
            + f"; share it more narrowly than '{target.label}' or drop them", parameter="audience")
    entities.share_own(conn, principal, [own[i][0] for i in sorted(shareable)], target.id)
    return written
