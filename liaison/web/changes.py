"""Forms that change something: post/redirect/get back to their page with a message, or the page
again with the refusal (nothing of the change kept)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from liaison.errors import LiaisonError
from liaison.http.deps import attempt


def apply(
    conn: Connection,
    change: Callable[[], object],
    *,
    back: str,
    done: str,
    section: str,
    refused: Callable[[LiaisonError], Response],
) -> Response:
    """Run `change` (which audits itself); then redirect to `back` with the message `done` (quoted
    whole, so '#', '&' and '%' survive) and the page's `section`, or answer `refused(error)`."""
    with attempt(conn) as tried:
        change()
    if tried.error:
        return refused(tried.error)
    return redirect(back, done, section)


def redirect(back: str, done: str, section: str, *, key: str = "done") -> RedirectResponse:
    """Back to `back` (post/redirect/get; it may carry a query of its own) with the message `done`
    (as the parameter `key`), quoted whole so that '#', '&' and '%' survive, at the page's `section`."""
    joiner = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{joiner}{key}={quote(done, safe='')}#{section}", status_code=303)
