"""The composition root: the one place that assembles the application — the REST API under
/api/v1 with its OpenAPI document, TAXII 2.1 under /taxii2/, the web UI everywhere else (static
files under /static), the error handler, the request guards and the background sync — from the
settings it is given. Adapters never import each other; they meet here."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from liaison import jobs
from liaison.alerts import digest, evaluate, webhooks
from liaison.alerts import stream as stream_service
from liaison.alerts.hub import Hub
from liaison.api import taxii
from liaison.api.rest import (
    alerts,
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
from liaison.federation.sync import scheduled_sync
from liaison.http import errors
from liaison.http.guards import Guards
from liaison.jobs import Kind, Periodic, Worker
from liaison.store.listen import Committed, Listener
from liaison.web import apidocs, errorpages, vendor
from liaison.web import correlation as web_correlation
from liaison.web import flood as web_flood
from liaison.web import hits as web_hits
from liaison.web import pages as web_pages
from liaison.web import reports as web_reports
from liaison.web import viz as web_viz
from liaison.web.templating import STATIC

API_PREFIX = "/api/v1"


#: The job kind of the partner sync schedule.
SYNC = "federation.sync"


def _retain(engine: Engine, days: int) -> None:
    """Events and finished jobs are kept `days` days (the setting event_days)."""
    stream_service.purge(engine, days)
    jobs.purge(engine, days)


def build_worker(engine: Engine, settings: Settings) -> Worker:
    """The background work, registered with the job runner: alert evaluation over the outbox,
    webhook deliveries with retries, the partner sync schedule, the daily e-mailed digest (when an
    SMTP server is set), and the retention of events and finished jobs."""
    kinds = {
        webhooks.DELIVER: Kind(
            lambda e, payload: webhooks.deliver(
                e,
                payload["delivery"],
                base_url=settings.base_url,
                hosts=settings.webhook_hosts,
                attempts=settings.webhook_attempts,
                timeout=settings.webhook_timeout,
            ),
            attempts=settings.webhook_attempts,
            backoff=settings.webhook_backoff,
        )
    }
    periodic = [Periodic(evaluate.run, 0.5), Periodic(lambda e: _retain(e, settings.event_days), 3600.0)]
    if settings.sync_interval > 0:  # the partner sync schedule: one run per interval across workers
        kinds[SYNC] = Kind(lambda e, _payload: scheduled_sync(e, settings.instance_name))
        every = min(settings.sync_interval, 60.0)
        first = settings.sync_interval  # as before the queue: the first sync one interval after start
        periodic.append(Periodic(lambda e: jobs.every(e, SYNC, settings.sync_interval), every, first))
    if settings.smtp_server:
        kinds[digest.SEND] = Kind(
            lambda e, payload: digest.send(
                e, payload, server=settings.smtp_server, sender=settings.smtp_sender, base_url=settings.base_url
            ),
            attempts=5,
            backoff=300.0,
        )
        periodic.append(Periodic(digest.queue_due, 60.0))
    return Worker(engine, kinds, periodic)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The application for `settings` (by default read from the environment), over `engine` (by
    default the settings' database)."""
    settings = settings or Settings()
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        worker = build_worker(engine, settings) if settings.run_jobs else None
        if worker:
            worker.start()
        await app.state.hub.start()
        committed = Committed(engine, app.state.hub.wake)
        committed.start()
        listener = Listener(engine, app.state.hub.wake) if engine.dialect.name == "postgresql" else None
        if listener:
            listener.start()
        yield
        if listener:
            listener.stop()
        committed.stop()
        await app.state.hub.stop()
        if worker:
            worker.stop()

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
    app.state.hub = Hub(engine, poll=settings.stream_poll, per_key=settings.streams_per_token)
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
        alerts,
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
