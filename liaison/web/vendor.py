"""Front-end libraries served from `liaison/web/node_modules` (installed by the setup step), limited
to the distribution files the pages use."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from liaison.errors import NotFound

NODE_MODULES = Path(__file__).with_name("node_modules")
PREFIX = "/static/vendor"

#: The only files reachable under PREFIX, as paths inside node_modules.
FILES = frozenset(
    {
        "htmx.org/dist/htmx.min.js",
        "cytoscape/dist/cytoscape.min.js",
        "d3-array/dist/d3-array.min.js",
        "d3-geo/dist/d3-geo.min.js",
        "swagger-ui-dist/swagger-ui-bundle.js",
        "swagger-ui-dist/swagger-ui.css",
        "topojson-client/dist/topojson-client.min.js",
        "world-atlas/countries-110m.json",
        "world-atlas/countries-50m.json",
        "world-atlas/land-110m.json",
    }
)

router = APIRouter()


def vendor_url(path: str) -> str:
    """The URL of a vendored file (one of FILES)."""
    if path not in FILES:
        raise ValueError(f"{path} is not a served front-end file; add it to liaison.web.vendor.FILES")
    return f"{PREFIX}/{path}"


@router.get(PREFIX + "/{path:path}")
async def vendor_file(path: str) -> FileResponse:
    if path not in FILES or not (NODE_MODULES / path).is_file():
        raise NotFound(f"no front-end file {path}")
    return FileResponse(NODE_MODULES / path, headers={"Cache-Control": "public, max-age=3600"})
