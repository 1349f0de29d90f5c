"""Services called as the adapters call them: each call in a transaction of its own, committed when
it returns and rolled back when it raises (services take the caller's connection)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy import Engine

T = TypeVar("T")


def committed(engine: Engine, service: Callable[..., T], *args, **kwargs) -> T:
    """`service(conn, *args, **kwargs)` in a transaction of its own on `engine`."""
    with engine.begin() as conn:
        return service(conn, *args, **kwargs)


def streamed(engine: Engine, service: Callable[..., Iterator[T]], *args, **kwargs) -> Iterator[T]:
    """What `service(conn, *args, **kwargs)` yields, read over a connection of its own that stays
    open until the last item (as an adapter's streaming connection does)."""
    with engine.connect() as conn:
        yield from service(conn, *args, **kwargs)
