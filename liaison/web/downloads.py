"""Files the web UI hands out: STIX bundles to save."""

from __future__ import annotations

from fastapi.responses import Response

from liaison.intel.export import Closure


def bundle(found: Closure, filename: str) -> Response:
    """A bundle as a file to save; the header counts the references left unresolved (to objects
    the reader may not see, which the file cannot carry)."""
    return Response(
        found.bundle(),
        media_type="application/stix+json;version=2.1",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Liaison-Unresolved-References": str(len(found.unresolved)),
            # Referenced objects left out by their marking (stricter, or another organisation's).
            "X-Liaison-Withheld-References": str(len(found.withheld)),
        },
    )
