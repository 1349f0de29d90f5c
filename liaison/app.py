"""The composition root: the one place that assembles the application — the REST API under
/api/v1 with its OpenAPI document, TAXII 2.1 under /taxii2/, the web UI everywhere else (static
files under /static), the error handler, the request guards and the background sync — from the
settings it is given. Adapters never import each other; they meet here."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from liaison.api import taxii
from liaison.api.rest import (
    bundles,
    correlation,
    drafts,
    exports,
    federation,
    flood,
    hits,
    objects,
    search,
    session,
    stream,
    views,
)
from liaison.config import Settings
from liaison.db.engine import make_engine
from liaison.federation.sync import Scheduler
from liaison.http import errors
from liaison.http.guards import Guards
from liaison.intel import stream as stream_service
from liaison.web import apidocs, errorpages, vendor
from liaison.web import correlation as web_correlation
from liaison.web import flood as web_flood
from liaison.web import hits as web_hits
from liaison.web import pages as web_pages
from liaison.web import reports as web_reports
from liaison.web import viz as web_viz
from liaison.web.templating import STATIC

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The application for `settings` (by default read from the environment), over `engine` (by
    default the settings' database)."""
    settings = settings or Settings()
    engine = engine or make_engine(settings.database_url)

    async def keep_events() -> None:
        """The live stream's events are kept event_days days: purged at start, then hourly."""
        while True:
            await run_in_threadpool(stream_service.purge, engine, settings.event_days)
            await asyncio.sleep(3600)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        interval = settings.sync_interval
        scheduler = Scheduler(engine, interval, settings.instance_name) if interval > 0 else None
        if scheduler:
            scheduler.start()
        retention = asyncio.create_task(keep_events())
        yield
        retention.cancel()
        if scheduler:
            scheduler.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Liaison",
        version="1.0",
        summary="Federated intelligence sharing between partner agencies, STIX 2.1 native.",
        description=(
            "Authenticate with `Authorization: Bearer <token>` or HTTP Basic (user name, token as "
            "password). Every answer only ever contains what the caller's organisation may see."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by web.apidocs from the platform's own Swagger UI
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.add_middleware(Guards, limit=settings.max_upload_bytes)
    errors.install(app, page=errorpages.error_page, login_redirect=errorpages.login_redirect)
    for module in (
        session,
        objects,
        correlation,
        flood,
        hits,
        search,
        exports,
        bundles,
        federation,
        drafts,
        views,
        stream,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(taxii.router)
    app.include_router(vendor.router, include_in_schema=False)
    app.include_router(apidocs.router, prefix=API_PREFIX)
    app.include_router(apidocs.icon_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (web_pages, web_viz, web_reports, web_correlation, web_flood, web_hits):
        app.include_router(module.router, include_in_schema=False)
    return app
