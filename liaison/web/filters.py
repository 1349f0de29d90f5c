"""Jinja2 filters and globals of the web UI."""

from __future__ import annotations

from urllib.parse import urlencode

from jinja2 import Environment

from liaison.stix.timestamps import parse_ts
from liaison.store.tenancy import audience_spec
from liaison.web.vendor import vendor_url


def when(stamp: str | None) -> str:
    """A STIX timestamp as 'YYYY-MM-DD HH:MM UTC' (seconds and fractions dropped)."""
    if not stamp:
        return ""
    try:
        moment = parse_ts(stamp)
    except ValueError:
        return stamp
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def day(stamp: str | None) -> str:
    """A STIX timestamp's date."""
    return (stamp or "")[:10]


def query(params: dict, **changes) -> str:
    """A query string from `params` with `changes` applied; empty values are left out."""
    merged = {**params, **changes}
    return urlencode([(k, v) for k, v in merged.items() if v not in (None, "")], doseq=True)


def install(env: Environment) -> None:
    env.filters["when"] = when
    env.filters["audience_spec"] = audience_spec
    env.filters["day"] = day
    env.globals["query"] = query
    env.globals["vendor"] = vendor_url
