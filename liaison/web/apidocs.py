"""The API's documentation page: Swagger UI from the platform's own front-end packages, so that
reading the docs neither needs nor tells another host (FastAPI's default page loads it from a CDN);
and the platform's icon where browsers look for one unasked (/favicon.ico)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from liaison.web.templating import STATIC
from liaison.web.vendor import vendor_url

#: The platform's icon (liaison/web/static/img).
FAVICON = "/static/img/favicon.svg"

router = APIRouter()


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """Mounted under the API's prefix."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} API",
        swagger_js_url=vendor_url("swagger-ui-dist/swagger-ui-bundle.js"),
        swagger_css_url=vendor_url("swagger-ui-dist/swagger-ui.css"),
        swagger_favicon_url=FAVICON,
    )


icon_router = APIRouter()


@icon_router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    return FileResponse(STATIC / "img" / "favicon.svg", media_type="image/svg+xml")
