"""The visibility rule as SQL: a version is visible to P when one of its holdings is shared with
an audience P belongs to. Every store read applies one of these predicates."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, select

from liaison.access.principal import Principal
from liaison.db.tables import draft_report, holding


def holding_visible(principal: Principal, h=holding) -> ColumnElement[bool]:
    """True for holdings (of `h`, the holding table or an alias of it) shared with an audience
    `principal` belongs to."""
    return h.c.audience_id.in_(sorted(principal.audience_ids))


def visible(principal: Principal, version_pk: ColumnElement) -> ColumnElement[bool]:
    """True for object versions (by `version_pk` column) that `principal` may see."""
    return exists(select(1).where(holding.c.version_pk == version_pk, holding_visible(principal)))


def visible_to_org_holding(principal: Principal, version_pk: ColumnElement, org_id: int) -> ColumnElement[bool]:
    """True for versions held by organisation `org_id` through a holding `principal` may see."""
    return exists(
        select(1).where(
            and_(
                holding.c.version_pk == version_pk,
                holding.c.org_id == org_id,
                holding_visible(principal),
            )
        )
    )


def in_collection(principal: Principal, audience_id: int, h=holding) -> ColumnElement[bool]:
    """True for holdings (of `h`, the holding table or an alias of it) published in the TAXII
    collection of `audience_id`, provided `principal` may read that audience (otherwise none are)."""
    if audience_id not in principal.audience_ids:
        return false()
    return and_(h.c.audience_id == audience_id, holding_visible(principal, h))


def own_draft(principal: Principal, d=draft_report) -> ColumnElement[bool]:
    """True for draft reports of `principal`'s organisation: drafts are shared with no one until
    published, so only the organisation that made them reads them."""
    if principal.org_id is None:
        return false()
    return d.c.org_id == principal.org_id
