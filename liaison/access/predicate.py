"""The visibility rules as SQL. A version content is visible to P when one of its live holdings is
shared with an audience P belongs to; of an object's visible versions P reads one chain's newest.
Every store read applies these predicates; nothing else builds visibility.

Chains: each organisation's holdings of an id are its chain of that object (what it received, or
versioned itself). P reads its own organisation's chain when it holds the object, else the
owner's (object_version.owner_org_id), else the newest chain it may see. So whatever another
organisation imports under an id never changes what the owner, or anyone reading the owner's
holdings, sees as that object's content, revocation or latest version.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, false, literal, or_, select

from liaison.access.principal import Principal
from liaison.db.tables import draft_report, holding, object_version


def holding_visible(principal: Principal, h=holding) -> ColumnElement[bool]:
    """True for live holdings (of `h`, the holding table or an alias of it) shared with an audience
    `principal` belongs to; holdings a correction superseded are history only."""
    return and_(h.c.audience_id.in_(sorted(principal.audience_ids)), h.c.superseded_at.is_(None))


def probe_visible(principal: Principal, h) -> ColumnElement[bool]:
    """holding_visible for a holding reached through its version in a correlated subquery: the
    audience test (`+ 0`) is kept out of the index choice, or SQLite would walk every holding of
    the audience for each row instead of the few of the version."""
    return and_((h.c.audience_id + 0).in_(sorted(principal.audience_ids)), h.c.superseded_at.is_(None))


def history_visible(principal: Principal, h=holding) -> ColumnElement[bool]:
    """holding_visible, and also the holdings a correction superseded, but only for the holding
    organisation itself: a correction may be what sanitised a text, and an audience (or a later
    member of it) is shown the content held for it now, never what it replaced."""
    mine = h.c.org_id == principal.org_id if principal.org_id is not None else literal(False)
    return and_(h.c.audience_id.in_(sorted(principal.audience_ids)), or_(h.c.superseded_at.is_(None), mine))


def visible(principal: Principal, version_pk: ColumnElement, *, history: bool = False) -> ColumnElement[bool]:
    """True for version contents (by `version_pk` column) that `principal` may see; with `history`,
    also those its own organisation held before a correction (history_visible)."""
    seen = history_visible(principal) if history else holding_visible(principal)
    return exists(select(1).where(holding.c.version_pk == version_pk, seen))


#: Made once (see _H_MINE below).
_H_OUTSIDE = holding.alias("h_outside")


def holding_visible_outside(principal: Principal, org_ids, h=holding, *, probe: bool = False) -> ColumnElement[bool]:
    """holding_visible (probe_visible with `probe`), of holdings by organisations other than
    `org_ids` (the sources an organisation excluded from its correlations): it only ever narrows
    what `principal` sees."""
    seen = probe_visible(principal, h) if probe else holding_visible(principal, h)
    return and_(seen, h.c.org_id.not_in(sorted(org_ids))) if org_ids else seen


def visible_outside(principal: Principal, version_pk: ColumnElement, org_ids) -> ColumnElement[bool]:
    """True for version contents (by `version_pk` column) that `principal` may see through a holding
    of an organisation other than `org_ids` (holding_visible_outside)."""
    h = _H_OUTSIDE
    return exists(
        select(1).where(h.c.version_pk == version_pk, holding_visible_outside(principal, org_ids, h, probe=True))
    )


def visible_to_org_holding(
    principal: Principal, version_pk: ColumnElement, org_id: int | ColumnElement
) -> ColumnElement[bool]:
    """True for versions held by organisation `org_id` (a value or a column) through a holding
    `principal` may see. Its own alias of holding, so a query over holdings keeps its own."""
    h = holding.alias("h_org")
    return exists(select(1).where(h.c.version_pk == version_pk, h.c.org_id == org_id, holding_visible(principal, h)))


def own_live(principal: Principal, version_pk: ColumnElement) -> ColumnElement[bool]:
    """True for version contents (by `version_pk` column) that `principal`'s own organisation holds
    live: its own chain, which it reads first (chain_rank)."""
    if principal.org_id is None:
        return false()
    return exists(
        select(1).where(
            holding.c.version_pk == version_pk, holding.c.org_id == principal.org_id, holding.c.superseded_at.is_(None)
        )
    )


def chain_rank(principal: Principal, h, owner_org_id: ColumnElement) -> ColumnElement[int]:
    """0 for the reader's own organisation's chain, 1 for the owner's, 2 for any other."""
    own = h.c.org_id == principal.org_id if principal.org_id is not None else literal(False)
    return case((own, 0), (h.c.org_id == owner_org_id, 1), else_=2)


#: The aliases latest_visible compares through, made once: building an alias's column collection
#: costs about a millisecond, which every read of a current version would otherwise pay again.
_H_MINE, _H_OTHER, _V_OTHER = holding.alias("h_mine"), holding.alias("h_other"), object_version.alias("v_other")


def latest_visible(principal: Principal, v=object_version) -> ColumnElement[bool]:
    """True for the content of `v` (object_version or an alias) that is `principal`'s view of its
    object: visible, in the chain `principal` reads, and that chain's newest visible version. Ties
    between other organisations' chains go to the newest version, then the lowest organisation id.

    Made once per reader's organisation and audiences (and `v`): building this expression took
    about 2 ms of Python, paid by every read of a current version; expressions are immutable and
    the values are bound parameters, so one serves every statement and thread."""
    return _latest_visible(reader(principal), v)


@dataclass(frozen=True, slots=True)
class Reader:
    """What the visibility predicates read of a principal: hashable, so that expressions and
    statements made for one reader can be kept and used again (SQLAlchemy then skips building
    them and computing their cache keys, most of the cost of a small read)."""

    org_id: int | None
    audience_ids: frozenset[int]


def reader(principal: Principal) -> Reader:
    return Reader(principal.org_id, principal.audience_ids)


@functools.lru_cache(maxsize=1024)
def _latest_visible(principal: Reader, v) -> ColumnElement[bool]:
    h, h2, v2 = _H_MINE, _H_OTHER, _V_OTHER
    rank, other_rank = chain_rank(principal, h, v.c.owner_org_id), chain_rank(principal, h2, v.c.owner_org_id)
    better = or_(
        other_rank < rank,
        and_(
            other_rank == rank,
            or_(v2.c.modified > v.c.modified, and_(v2.c.modified == v.c.modified, h2.c.org_id < h.c.org_id)),
        ),
    )
    rivals = (
        select(1)
        .select_from(v2.join(h2, h2.c.version_pk == v2.c.pk))
        .where(v2.c.stix_id == v.c.stix_id, probe_visible(principal, h2), better)
        .correlate_except(v2, h2)
    )
    return exists(
        select(1)
        .select_from(h)
        .where(h.c.version_pk == v.c.pk, holding_visible(principal, h), ~exists(rivals))
        .correlate_except(h)
    )


def current(principal: Principal, v=object_version, *, include_revoked: bool = False) -> ColumnElement[bool]:
    """latest_visible, unless that version revokes the object (with `include_revoked`, even then)."""
    newest = latest_visible(principal, v)
    return newest if include_revoked else and_(newest, v.c.revoked.is_(False))


def in_collection(principal: Principal, audience_id: int, h=holding, *, probe: bool = False) -> ColumnElement[bool]:
    """True for live holdings (of `h`, the holding table or an alias of it) published in the TAXII
    collection of `audience_id`, provided `principal` may read that audience (otherwise none are);
    `probe` as for probe_visible."""
    if audience_id not in principal.audience_ids:
        return false()
    column = h.c.audience_id + 0 if probe else h.c.audience_id
    return and_(column == audience_id, h.c.superseded_at.is_(None))


def own_draft(principal: Principal, d=draft_report) -> ColumnElement[bool]:
    """True for draft reports of `principal`'s organisation: drafts are shared with no one until
    published, so only the organisation that made them reads them."""
    if principal.org_id is None:
        return false()
    return d.c.org_id == principal.org_id


def event_live(e) -> ColumnElement[bool]:
    """True for outbox events (rows of `e`) whose holding is live now (not unshared, withdrawn or
    superseded by a correction since): the half of event_told that does not depend on the reader."""
    return exists(
        select(1).where(
            holding.c.version_pk == e.c.version_pk,
            holding.c.org_id == e.c.org_id,
            holding.c.audience_id == e.c.audience_id,
            holding.c.superseded_at.is_(None),
        )
    )


def event_told(principal: Principal, e) -> ColumnElement[bool]:
    """True for outbox events (rows of `e`, the event table) `principal` is told of: their holding
    was shared with an audience it belongs to and is live now. Another organisation's holding of
    the same content, or one narrowed since, tells it nothing."""
    return and_(e.c.audience_id.in_(sorted(principal.audience_ids)), event_live(e))


def told(principal: Principal, audience_id: int, live: bool) -> bool:
    """event_told for an event already read with its audience and liveness (event_live): the live
    stream's fan-out reads a batch once and judges it for each set of audiences in memory."""
    return live and audience_id in principal.audience_ids


def users_own(principal: Principal, t) -> ColumnElement[bool]:
    """True for the rows of `t` (a table with user_id: saved searches, watchlists, alerts, alert
    settings) of `principal`'s user: they are its user's alone, and no one else learns they exist."""
    if principal.user_id is None:
        return false()
    return t.c.user_id == principal.user_id


def orgs_own(principal: Principal, t) -> ColumnElement[bool]:
    """True for the rows of `t` (a table with org_id: webhooks) of `principal`'s organisation; no
    admin reaches past its own."""
    if principal.org_id is None:
        return false()
    return t.c.org_id == principal.org_id


def collection_chain(principal: Principal, audience_id: int) -> ColumnElement[bool]:
    """True for the holdings (`holding`, of versions `object_version`) of the TAXII collection of
    `audience_id` in the chain `principal` reads there. Of each id the collection serves one
    organisation's holdings: the reader's own organisation's, else the owner's, else those of the
    lowest organisation id; so another organisation's claim under an id never stands beside, or
    instead of, the owner's versions, and each version appears once. A version is dated by that
    holding (one per organisation and audience)."""
    H, V = holding, object_version
    rival_h, rival_v = H.alias("rival_h"), V.alias("rival_v")
    rank, rival_rank = chain_rank(principal, H, V.c.owner_org_id), chain_rank(principal, rival_h, V.c.owner_org_id)
    return and_(
        in_collection(principal, audience_id),
        # Driven from the versions of the same id (few), not from the collection (many).
        ~exists(
            select(1)
            .select_from(rival_h)
            .where(
                rival_h.c.version_pk.in_(
                    select(rival_v.c.pk).where(rival_v.c.stix_id == V.c.stix_id).correlate_except(rival_v)
                ),
                in_collection(principal, audience_id, rival_h, probe=True),
                or_(rival_rank < rank, and_(rival_rank == rank, rival_h.c.org_id < H.c.org_id)),
            )
        ),
    )
