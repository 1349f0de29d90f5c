"""The `liaison` command: set up, administer, import and export, serve."""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from liaison import accounts, audit
from liaison.config import Settings
from liaison.db.engine import make_engine, migrate
from liaison.errors import LiaisonError, NotFound

app = typer.Typer(help="Liaison: federated intelligence sharing, STIX 2.1 native.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
group_app = typer.Typer(help="Sharing groups.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(group_app, name="group")
partner_app = typer.Typer(help="Partner instances (federation).", no_args_is_help=True)
app.add_typer(partner_app, name="partner")

#: Who the audit log names for changes made with the CLI: the host's operator, who holds the database.
HOST = "operator@host"
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _settings() -> Settings:
    """The instance's settings, read from the environment once per command."""
    return Settings()


def _engine(settings: Settings | None = None):
    engine = make_engine((settings or _settings()).database_url)
    migrate(engine)
    return engine


def clear_errors(command):
    """Report domain errors as one red line and exit status 1, instead of a traceback."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except LiaisonError as exc:
            err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
            raise typer.Exit(1) from None

    return run


@app.command()
@clear_errors
def init(demo: Annotated[bool, typer.Option(help="Load the demo organisations, users and data.")] = False):
    """Create or upgrade the database; with --demo, load the demo world and print its logins."""
    engine = _engine()
    out.print(f"database ready: {engine.url.render_as_string(hide_password=True)}")
    if demo:
        from liaison.demo.load import demo_logins, load_demo

        with engine.begin() as conn:
            added = load_demo(conn)
            logins = demo_logins(conn)
        out.print(f"demo world loaded ({added} new object versions)")
        table = Table(title="Demo logins (API tokens are new each time)")
        for column in ("user", "organisation", "role", "password", "API token"):
            table.add_column(column, overflow="fold")
        for login in logins:
            table.add_row(login.user, login.organisation, login.role, login.password, login.token)
        out.print(table)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to listen on.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="API processes behind the one port (PostgreSQL only; SQLite is one process).")
    ] = 1,
):
    """Serve the web API (and UI) over HTTP."""
    import uvicorn

    from liaison.app import create_app

    settings = _settings()
    engine = _engine(settings)  # migrated once, before any worker starts
    host, port = host or settings.host, port or settings.port
    if workers > 1 and engine.dialect.name != "postgresql":
        err.print("[bold red]error:[/] several workers need PostgreSQL (LIAISON_DATABASE_URL); SQLite serves one")
        raise typer.Exit(1)
    out.print(f"Liaison on http://{host}:{port}  (API docs: http://{host}:{port}/api/v1/docs)")
    if workers > 1:
        # Each process builds its own app from the environment; NOTIFY wakes the streams of all.
        engine.dispose()
        uvicorn.run("liaison.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")
        return
    uvicorn.run(create_app(settings, engine), host=host, port=port, log_level="warning")


@org_app.command("add")
@clear_errors
def org_add(name: str):
    """Add an organisation (a STIX identity shared with the whole instance)."""
    with _engine().begin() as conn:
        accounts.create_org(conn, name)
        audit.record(conn, HOST, "admin.org-add", name)
    out.print(f"organisation '{name}' added")


@org_app.command("list")
def org_list():
    """List organisations."""
    from liaison.store import tenancy

    with _engine().connect() as conn:
        table = Table("name", "identity")
        for org in tenancy.list_orgs(conn):
            table.add_row(org.name, org.identity_id)
    out.print(table)


@user_app.command("add")
@clear_errors
def user_add(
    name: str,
    org: Annotated[Optional[str], typer.Option(help="The user's organisation (none for an operator).")] = None,
    role: Annotated[str, typer.Option(help="operator, admin, analyst, reader or sync.")] = "analyst",
    password: Annotated[bool, typer.Option("--password", help="Prompt for a password (web login).")] = False,
):
    """Add a user to an organisation, or an operator (who belongs to none and reads no intelligence)."""
    secret = typer.prompt("password", hide_input=True, confirmation_prompt=True) if password else None
    with _engine().begin() as conn:
        accounts.create_user(conn, name, org, role, secret)
        audit.record(conn, HOST, "admin.user-add", name, org=org, role=role)
    out.print(f"user '{name}' added {f'to {org!r} ' if org else ''}as {role}")


@token_app.command("create")
@clear_errors
def token_create(
    user: str,
    name: Annotated[str, typer.Option(help="A label for the token.")] = "api",
    scope: Annotated[Optional[str], typer.Option(help="read, write or sync (default: what the role allows).")] = None,
    days: Annotated[
        int, typer.Option(help="Days until it expires.", min=1, max=accounts.MAX_TOKEN_DAYS)
    ] = accounts.TOKEN_DAYS,
):
    """Create an API token for a user and print it; it is shown this once only."""
    with _engine().begin() as conn:
        token = accounts.create_token(conn, user, name, scope=scope, days=days)
        audit.record(conn, HOST, "admin.token-create", user, name=name, scope=scope, days=days)
    print(token)


@app.command()
@clear_errors
def unlock(key: Annotated[str, typer.Argument(help="A user name, or an address as addr:IP.")]):
    """Lift a lock-out after too many failed logins."""
    from liaison.store import auth_failures

    key = key if key.startswith("addr:") else f"user:{key}"
    with _engine().begin() as conn:
        if not auth_failures.clear(conn, key):
            raise NotFound(f"no lock-out of '{key.partition(':')[2]}'")
        audit.record(conn, HOST, "admin.unlock", key)
    out.print(f"'{key.partition(':')[2]}' unlocked")


@group_app.command("add")
@clear_errors
def group_add(
    name: str,
    member: Annotated[list[str], typer.Option(help="A member organisation (repeat the option).")],
    description: str = "",
    owner: Annotated[
        Optional[str],
        typer.Option(
            help="The organisation whose admins invite others (default: the first member that is no partner)."
        ),
    ] = None,
):
    """Add a sharing group of organisations."""
    with _engine().begin() as conn:
        accounts.create_group(conn, name, member, description, owner)
        audit.record(conn, HOST, "admin.group-add", name, members=member, owner=owner)
    out.print(f"sharing group '{name}' added with {len(set(member))} member(s)")


@group_app.command("list")
def group_list():
    """List sharing groups and their members."""
    from liaison.store import tenancy

    with _engine().connect() as conn:
        table = Table("group", "owner", "members", "invited", "description")
        for group in tenancy.group_views(conn):
            table.add_row(
                group.name, group.owner or "—", ", ".join(group.members), ", ".join(group.invited), group.description
            )
    out.print(table)


@app.command()
@clear_errors
def keys():
    """Show this instance's Ed25519 public key, to give to partners (`liaison partner add --public-key`)."""
    from liaison.store.provenance import instance_key

    settings = _settings()
    with _engine(settings).begin() as conn:
        key = instance_key(conn)
    out.print(f"instance: {settings.instance_name}")
    out.print(f"key id:   {key.key_id}")
    out.print(f"public key: {key.public_key}")


@partner_app.command("add")
@clear_errors
def partner_add(
    name: str,
    url: Annotated[
        Optional[str], typer.Option(help="The partner's base URL (e.g. https://liaison.example.org/).")
    ] = None,
    token: Annotated[Optional[str], typer.Option(help="The API token the partner issued to us.")] = None,
    public_key: Annotated[Optional[str], typer.Option(help="The partner's public key (`liaison keys` there).")] = None,
):
    """Register a partner instance; an organisation of the same name stands for it in sharing groups.
    With a public key, everything it sends must carry a valid signature."""
    from liaison.federation import partners

    with _engine().begin() as conn:
        found = partners.add_partner(conn, name, url, token, public_key)
    out.print(f"partner '{found.name}' added" + (f", key {found.key_id} pinned" if found.key_id else ", no key pinned"))


@partner_app.command("pair")
@clear_errors
def partner_pair(
    name: str,
    group: Annotated[str, typer.Argument(help="A sharing group with the partner's organisation in it.")],
):
    """Agree a sharing group with a partner: approved requests for information from it go there."""
    from liaison import audit
    from liaison.federation import partners

    with _engine().begin() as conn:
        partners.pair_group(conn, name, group)
        audit.record(conn, HOST, "partner.paired", name, group=group)
    out.print(f"partner '{name}' paired with group '{group}'")


@partner_app.command("list")
def partner_list():
    """List partners and their sync state."""
    from liaison.federation import sync

    table = Table("partner", "url", "key id", "direction", "objects", "rejected", "last run", "last error")
    with _engine().connect() as conn:
        partners = sync.status(conn)
    for p in partners:
        for stream in p["streams"] or [{}]:
            table.add_row(
                p["name"],
                p["url"] or "",
                p["key_id"] or "",
                stream.get("direction", ""),
                str(stream.get("objects", "")),
                str(stream.get("rejected", "")),
                stream.get("last_run_at") or "",
                stream.get("last_error") or "",
            )
    out.print(table)


@app.command()
@clear_errors
def sync(
    partner: Annotated[Optional[str], typer.Argument(help="One partner; all of them when omitted.")] = None,
    page: Annotated[int, typer.Option(help="Objects per TAXII request.", min=1, max=5000)] = 1000,
):
    """Pull what partners share with us and push what we share with groups that include them."""
    from liaison.federation import partners as registry
    from liaison.federation import sync as federation

    settings = _settings()
    engine = _engine(settings)
    with engine.connect() as conn:
        names = [partner] if partner else [p.name for p in registry.list_partners(conn) if p.url and p.token]
    failed = False
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err) as bar:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int | None) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], advance=done)

        for name in names:
            # Commits page by page (federation/sync.py), so it takes the engine.
            report = federation.sync_partner(engine, name, settings.instance_name, page=page, progress=progress)
            delivered = f", {report.requests} requests or decisions delivered" if report.requests else ""
            out.print(f"{name}: pulled {report.pulled}, pushed {report.pushed}, rejected {report.rejected}{delivered}")
            for problem in report.errors:
                err.print(f"[bold red]error:[/] {name}: {problem}", highlight=False)
                failed = True
    if failed:
        raise typer.Exit(1)


@app.command("import")
@clear_errors
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_: Annotated[str, typer.Option("--as", help="The user importing.")],
    audience: Annotated[str, typer.Option(help="org, org:NAME, group:NAME or instance.")] = "org",
    discoverable: Annotated[
        Optional[str],
        typer.Option(help="Who may discover the objects by hit queries: none, or instance,partners,group:NAME."),
    ] = None,
):
    """Import a STIX 2.1 bundle of any size, atomically, as a user."""
    from liaison.access.actions import Action
    from liaison.ingest.bundles import import_objects
    from liaison.ingest.reader import open_bundle
    from liaison.intel import discovery

    settings = _settings()
    # One transaction: the whole bundle or nothing.
    with _engine(settings).begin() as conn, file.open("rb") as stream:
        principal = accounts.principal_for_user(conn, as_)
        principal.require(Action.WRITE)  # before a file of any size is read; the service checks again
        total, objects = open_bundle(stream)
        ids: list[str] = []
        columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err) as progress:
            task = progress.add_task("import", total=total)
            report = import_objects(
                conn,
                principal,
                discovery.ids_of(objects, ids),
                audience=audience,
                batch_size=settings.ingest_batch,
                on_progress=lambda n: progress.advance(task, n),
            )
        if discoverable is not None:
            discovery.set_imported(conn, principal, ids, discovery.parse_specs(discoverable))
    result = report.as_dict()
    out.print(
        f"imported {result['received']} objects for {principal.org_name} ({result['audience']}): "
        f"{result['new_versions']} new versions, {result['new_holdings']} new holdings, "
        f"{result['corrections']} corrections, {result['already_held']} already held, "
        f"{result['already_received']} received before and since corrected, "
        f"{result['duplicates_in_bundle']} duplicates in {result['seconds']} s"
    )


def _audiences_command(action: str):
    def command(
        stix_id: Annotated[str, typer.Argument(help="The object's STIX id.")],
        as_: Annotated[str, typer.Option("--as", help="The user acting for its organisation.")],
        audience: Annotated[str, typer.Option(help="org, group:NAME or instance.")],
        all_versions: Annotated[
            bool, typer.Option(help="Every version the organisation holds, not only the current one.")
        ] = False,
    ):
        from liaison.intel import sharing

        with _engine().begin() as conn:
            principal = accounts.principal_for_user(conn, as_)
            result = getattr(sharing, action)(conn, principal, stix_id, audience, all_versions=all_versions)
        if action == "share":
            out.print(f"{stix_id}: {result['added']} version(s) now shared with {result['audience']}")
        else:
            out.print(
                f"{stix_id}: {result['removed']} version(s) and {result['annotations_removed']} annotation(s) "
                f"withdrawn from {result['audience']}"
            )

    return command


app.command("share", help="Share an object your organisation holds with another audience.")(
    clear_errors(_audiences_command("share"))
)
app.command(
    "unshare", help="Withdraw an object your organisation holds (and its own annotations on it) from an audience."
)(clear_errors(_audiences_command("unshare")))


@app.command()
@clear_errors
def export(
    as_: Annotated[str, typer.Option("--as", help="The user whose view is exported.")],
    out_file: Annotated[Optional[Path], typer.Option("--out", help="File to write (default: standard output).")] = None,
    type_: Annotated[Optional[list[str]], typer.Option("--type", help="Only these STIX types (repeat).")] = None,
    all_versions: Annotated[bool, typer.Option(help="Every version, not only the latest.")] = False,
):
    """Export what a user may see as a STIX 2.1 bundle."""
    from liaison.intel.objects import export_bundle, make_filters

    with _engine().connect() as conn:  # a read, streamed as it is written out
        principal = accounts.principal_for_user(conn, as_)
        chunks = export_bundle(conn, principal, make_filters(conn, types=type_ or ()), all_versions=all_versions)
        if out_file is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.write(b"\n")
            return
        with out_file.open("wb") as target:
            for chunk in chunks:
                target.write(chunk)
    err.print(f"exported to {out_file}")


@app.command()
@clear_errors
def watch(
    as_: Annotated[str, typer.Option("--as", help="The user whose view is watched.")],
    after: Annotated[Optional[str], typer.Option(help="Resume after this cursor (printed with each change).")] = None,
    type_: Annotated[Optional[list[str]], typer.Option("--type", help="Only these STIX types; repeatable.")] = None,
    audience: Annotated[
        Optional[str],
        typer.Option(help="Only what was shared with this audience of the user's (org, group:NAME, instance)."),
    ] = None,
    watchlist: Annotated[
        Optional[str], typer.Option(help="Only changes matching this watchlist of the user's (its id).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Print what is pending and stop, instead of following.")] = False,
):
    """Print the changes a user may see as they are committed (the live stream), until Ctrl-C."""
    import time

    from liaison.alerts import stream

    settings = _settings()
    engine = _engine(settings)
    with engine.begin() as conn:
        principal = accounts.principal_for_user(conn, as_)
        chosen = stream.filters(conn, principal, type_ or (), audience, watchlist)
        at = stream.start(conn, principal, after, keep_days=settings.event_days)
        out.print(f"[dim]watching from cursor {stream.cursor_at(conn, at)}[/dim]", highlight=False)
    while True:
        with engine.begin() as conn:  # who the user is, asked again at each read
            notices, at = stream.read(conn, accounts.principal_for_user(conn, as_), at, chosen=chosen)
        for n in notices:
            out.print(f"{n.at}  {n.kind:<9} {n.type:<22} {n.stix_id}  [dim]cursor {n.cursor}[/dim]", highlight=False)
        if once:
            return
        if not notices:
            time.sleep(0.5)


@app.command()
@clear_errors
def alerts(
    as_: Annotated[str, typer.Option("--as", help="The user whose alerts are listed.")],
    unread: Annotated[bool, typer.Option(help="Only the unread ones.")] = False,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    mark_read: Annotated[bool, typer.Option(help="Then mark those listed read.")] = False,
):
    """A user's alerts (about objects it may still see), newest first."""
    from liaison.alerts import evaluate, inbox

    engine = _engine()
    evaluate.run(engine)  # what the outbox holds is evaluated first: nothing waits for the server
    with engine.begin() as conn:
        principal = accounts.principal_for_user(conn, as_)
        page = inbox.list_alerts(conn, principal, unread=unread, limit=limit)
        table = Table("raised", "", "object", "why", "watchlist")
        for a in page.alerts:
            table.add_row(
                a.raised_at[:19], "" if a.read else "new", f"{a.object_type}: {a.object_name}", a.reason, a.watchlist
            )
        out.print(table)
        out.print(f"{page.total} alert(s)")
        if mark_read and page.alerts:
            out.print(f"{inbox.mark_read(conn, principal, [a.id for a in page.alerts])} marked read")


@app.command()
def worker():
    """Run the background jobs (alert evaluation, webhook deliveries, digests, the partner sync
    schedule, retention) in this process until Ctrl-C: beside API processes started with
    LIAISON_RUN_JOBS=false. Several may run: each job runs once."""
    import time

    from liaison.app import build_worker

    settings = _settings()
    running = build_worker(_engine(settings), settings)
    running.start()
    out.print("Liaison worker running (Ctrl-C stops it)")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        running.stop()


@app.command()
@clear_errors
def correlate(
    target: Annotated[
        str, typer.Argument(help="An object's STIX id, or a value (an address, domain, phone, hash, …).")
    ],
    as_: Annotated[str, typer.Option("--as", help="The user whose view is searched.")],
    type_: Annotated[Optional[str], typer.Option("--type", help="Read the value as this kind (ipv4, url, …).")] = None,
    limit: Annotated[int, typer.Option(help="Hits per page.")] = 100,
    offset: Annotated[int, typer.Option(help="Hits to skip.")] = 0,
):
    """What correlates with an object, or which objects carry a value, as a user sees it."""
    from liaison.intel import correlation
    from liaison.stix.validate import IDENTIFIER_RE

    settings = _settings()
    with _engine(settings).begin() as conn:
        principal = accounts.principal_for_user(conn, as_)
        page = {"limit": limit, "offset": offset, "cap": settings.correlation_cap}
        if IDENTIFIER_RE.match(target) and type_ is None:
            found = correlation.correlations(conn, principal, target, **page)
        else:
            found = correlation.carrying(conn, principal, target, type_, **page)
    values = Table("kind", "value", "objects", "warning lists", title="Values")
    for v in found.values:
        count = f"common: more than {v.count - 1}" if v.common else str(v.count)
        values.add_row(v.kind, v.value, count, "; ".join(v.warning_lists))
    out.print(values)
    first = found.offset + 1 if found.hits else 0
    hits = Table(title=f"Correlations {first}-{found.offset + len(found.hits)} of {found.total}")
    hits.add_column("object", no_wrap=True)
    hits.add_column("shared value, held by, since")
    for h in found.hits:
        matched = h.value if h.matched == h.value else f"{h.value} in {h.matched}"
        marks = "".join(f"\non: {name}" for name in h.warning_lists if h.matched != h.value)
        hits.add_row(
            f"{h.id}\n{h.type}: {h.name or ''}",
            f"{matched} ({h.how}){marks}\n{h.owner or h.held_by}\n{h.shared_at}",
        )
    out.print(hits)


@app.command()
@clear_errors
def hit(
    values: Annotated[
        list[str], typer.Argument(help="Values (addresses, domains, phones, hashes, …) or, with --type entity, ids.")
    ],
    as_: Annotated[str, typer.Option("--as", help="The user asking.")],
    type_: Annotated[
        Optional[str], typer.Option("--type", help="Read every value as this kind (ipv4, phone, …).")
    ] = None,
):
    """Ask whether partners hold values: per value, hit or no hit, and per hit the holder and a
    reference to cite in a request (`liaison request send`). Never what matched."""
    from liaison.federation import hits as federated
    from liaison.intel import hits as service

    settings = _settings()
    with _engine(settings).begin() as conn:
        principal = accounts.principal_for_user(conn, as_)
        limits = service.Limits.of(settings)
        asked = [service.Asked(v, type_) for v in values]
        answer = service.ask(conn, principal, asked, limits=limits, remote=federated.asker(conn))
    table = Table("value", "normalised", "answer", "holder", "instance", "reference")
    for result in answer.results:
        first = True
        for holder in result.holders or [None]:
            table.add_row(
                result.value if first else "",
                f"{result.normalised} ({result.how})" if first else "",
                ("hit" if result.hit else "no hit") if first else "",
                holder.organisation if holder else "",
                holder.instance if holder else "",
                holder.reference if holder else "",
            )
            first = False
    out.print(table)
    for partner in answer.unreachable:
        err.print(f"not asked: {partner}")
    out.print(f"{answer.rate_limit.remaining} of {answer.rate_limit.limit} values left this window")


flood_app = typer.Typer(help="Correlation flood control: warning lists and exclusions.", no_args_is_help=True)
app.add_typer(flood_app, name="flood")
FloodAs = Annotated[
    Optional[str], typer.Option("--as", help="Act as this user (an admin: its organisation); default: the instance.")
]


def _flood_principal(conn, as_: str | None):
    """The user named, or the host's operator acting for the instance (it holds the database)."""
    from liaison.access.principal import Principal, Role

    if as_:
        return accounts.principal_for_user(conn, as_)
    return Principal(None, HOST, None, "instance", None, Role.OPERATOR, frozenset(), None)


@flood_app.command("show")
@clear_errors
def flood_show(as_: FloodAs = None):
    """The exclusions and the warning lists switched off, for the instance or a user's organisation."""
    from liaison.intel import flood

    with _engine().begin() as conn:
        principal = _flood_principal(conn, as_)
        excluded = flood.list_exclusions(conn, principal)
        lists = flood.warning_lists(conn, principal)
    table = Table("id", "scope", "what", "value", "since", "by", title="Exclusions")
    for row in excluded:
        shown = f"{row.kind}: {row.value}" if row.kind and row.what == "value" else row.value
        table.add_row(str(row.id), row.scope, row.what, shown, row.created_at, row.created_by)
    out.print(table)
    off = [w.name for w in lists if not w.enabled]
    out.print(
        f"{len(lists) - len(off)} of {len(lists)} warning lists mark values" + "".join(f"\noff: {n}" for n in off)
    )


@flood_app.command("exclude")
@clear_errors
def flood_exclude(
    what: Annotated[str, typer.Argument(help="value, type or org.")],
    value: Annotated[str, typer.Argument(help="The value, the STIX type or value kind, or the organisation.")],
    type_: Annotated[Optional[str], typer.Option("--type", help="Read a value as this kind.")] = None,
    as_: FloodAs = None,
):
    """Take a value, a type or a source organisation out of correlations (audited)."""
    from liaison.intel import flood

    with _engine().begin() as conn:
        row = flood.add_exclusion(conn, _flood_principal(conn, as_), what, value, type_)
    out.print(f"exclusion #{row.id}: {row.what} {row.value} ({row.scope})")


@flood_app.command("unexclude")
@clear_errors
def flood_unexclude(exclusion_id: int, as_: FloodAs = None):
    """Remove an exclusion."""
    from liaison.intel import flood

    with _engine().begin() as conn:
        flood.remove_exclusion(conn, _flood_principal(conn, as_), exclusion_id)
    out.print(f"exclusion #{exclusion_id} removed")


@flood_app.command("switch")
@clear_errors
def flood_switch(
    name: Annotated[str, typer.Argument(help="A warning list's name (`liaison flood show`).")],
    state: Annotated[str, typer.Argument(help="on or off.")],
    as_: FloodAs = None,
):
    """Switch a warning list on or off for the instance or an admin's organisation."""
    from liaison.errors import InvalidInput
    from liaison.intel import flood

    if state not in ("on", "off"):
        raise InvalidInput("a warning list is switched on or off")
    with _engine().begin() as conn:
        found = flood.set_warning_list(conn, _flood_principal(conn, as_), name, state == "on")
    out.print(f"{found.name}: {'marks values' if found.enabled else 'marks nothing'}")


request_app = typer.Typer(help="Requests for information that follow hits.", no_args_is_help=True)
app.add_typer(request_app, name="request")


def _print_requests(found) -> None:
    table = Table("id", "from", "to", "value", "status", "deadline", "reason", "message / shared")
    for r in found:
        status = f"{r.status} (overdue)" if r.overdue else r.status
        shared = "\n".join([r.message or "", *r.shared]).strip()
        holder = r.holder if r.instance == "local" else f"{r.holder} @ {r.instance}"
        table.add_row(r.id, r.requester, holder, r.value, status, r.deadline, r.reason, shared)
    out.print(table)


@request_app.command("send")
@clear_errors
def request_send(
    reference: Annotated[str, typer.Argument(help="The reference of a hit (`liaison hit`).")],
    reason: Annotated[str, typer.Option(help="Why the information is needed.")],
    as_: Annotated[str, typer.Option("--as", help="The user asking.")],
    hours: Annotated[Optional[int], typer.Option(help="Hours the holder has to answer.")] = None,
):
    """Ask the holder of a hit for what matched."""
    from liaison.federation import hits as federated
    from liaison.intel import requests

    settings = _settings()
    with _engine(settings).begin() as conn:
        principal = accounts.principal_for_user(conn, as_)
        made = requests.ask(
            conn,
            principal,
            reference,
            reason,
            hours=hours or settings.request_deadline_hours,
            send=federated.sender(conn),
        )
    _print_requests([made])


@request_app.command("list")
@clear_errors
def request_list(
    as_: Annotated[str, typer.Option("--as", help="The user whose organisation's requests are listed.")],
    box: Annotated[str, typer.Option(help="inbox (received) or sent.")] = "inbox",
):
    """Requests the user's organisation received or sent, newest first; overdue ones marked."""
    from liaison.intel import requests

    with _engine().begin() as conn:
        principal = accounts.principal_for_user(conn, as_)
        found = requests.listed(conn, principal, box)
    _print_requests(found)


def _decide_command(approve: bool):
    def command(
        request_id: Annotated[str, typer.Argument(help="The request's id (`liaison request list`).")],
        as_: Annotated[str, typer.Option("--as", help="A user of the holding organisation.")],
        message: Annotated[str, typer.Option(help="A message to the requester.")] = "",
    ):
        from liaison.federation import hits as federated
        from liaison.intel import requests

        with _engine().begin() as conn:
            principal = accounts.principal_for_user(conn, as_)
            done = requests.decide(
                conn, principal, request_id, approve=approve, message=message, notify=federated.notifier(conn)
            )
        _print_requests([done])

    command.__doc__ = (
        "Approve a request: share what matched with the requester, as TLP allows."
        if approve
        else "Decline a request, with an optional message."
    )
    return command


request_app.command("approve")(clear_errors(_decide_command(True)))
request_app.command("decline")(clear_errors(_decide_command(False)))


reference_app = typer.Typer(help="Reference knowledge from public data.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")


@reference_app.command("load")
@clear_errors
def reference_load(
    source: Annotated[
        Optional[list[str]],
        typer.Option(help="countries, galaxies, organisations or groups (repeat, or comma-separated); default: all."),
    ] = None,
    org: Annotated[
        Optional[str], typer.Option(help="The organisation that holds them (default: the instance's first).")
    ] = None,
):
    """Load threat actors (MISP galaxy), countries and subdivisions (ISO 3166) and international
    organisations and terrorist and armed groups as STIX objects shared with the whole instance;
    loading again changes nothing."""
    from liaison.ingest import reference

    settings = _settings()
    sources = reference.parse_sources(source)
    # One transaction: every source or none.
    with _engine(settings).begin() as conn:
        principal = reference.holder(conn, org)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err) as progress:
            tasks: dict[str, int] = {}

            def started(name: str, total: int) -> None:
                tasks["current"] = progress.add_task(name, total=total)

            loaded = reference.load(
                conn,
                principal,
                sources,
                batch_size=settings.ingest_batch,
                on_source=started,
                on_progress=lambda n: progress.advance(tasks["current"], n),
            )
        audit.record(
            conn,
            HOST,
            "reference.load",
            principal.org_name,
            sources=sources,
            new_versions=sum(s.created for s in loaded),
        )
    table = Table("source", "objects", "created", "newly held", "unchanged", "seconds")
    table.title = f"Reference data held by {principal.org_name} for the instance"
    for s in loaded:
        held = s.report.new_holdings - s.created
        table.add_row(s.source, str(s.objects), str(s.created), str(held), str(s.unchanged), f"{s.report.seconds:.1f}")
    out.print(table)


@app.command()
@clear_errors
def discoverable(
    as_: Annotated[str, typer.Option("--as", help="The user acting.")],
    stix_id: Annotated[
        Optional[str], typer.Argument(help="An object your organisation holds; none: the default.")
    ] = None,
    set_: Annotated[
        Optional[str], typer.Option("--set", help="none, default (an object), or instance,partners,group:NAME.")
    ] = None,
):
    """Show or set who may discover an object (or, with no id, the organisation's default; an
    admin sets that) by hit queries."""
    from liaison.intel import discovery

    with _engine().begin() as conn:
        principal = accounts.principal_for_user(conn, as_)
        specs = discovery.parse_specs(set_) if set_ is not None else None
        if stix_id is None:
            found = (
                discovery.set_default(conn, principal, specs)
                if specs is not None
                else discovery.default(conn, principal)
            )
            out.print(f"{principal.org_name} default: {', '.join(found)}")
            return
        if specs is not None:
            shown = discovery.set_object(conn, principal, stix_id, specs)
        else:
            shown = discovery.of_object(conn, principal, stix_id)
    out.print(f"{stix_id}: {', '.join(shown.own)} (in effect: {', '.join(shown.effective)})")


@app.command()
@clear_errors
def ingest(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="An article or bulletin: .txt, .html, .pdf or .docx."
        ),
    ],
    as_: Annotated[str, typer.Option("--as", help="The analyst the draft belongs to.")],
    format_: Annotated[str, typer.Option("--format", help="table, or json for the draft as a STIX bundle.")] = "table",
    title: Annotated[Optional[str], typer.Option(help="Title (default: the document's own).")] = None,
    published: Annotated[Optional[str], typer.Option(help="The article's date, YYYY-MM-DD.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Where it comes from (URL or publication).")] = None,
    keep_boilerplate: Annotated[
        bool, typer.Option(help="Keep cookie notices, 'Related posts' and the like in the text.")
    ] = False,
):
    """Turn an open-source document into a draft report for review: prints the draft's id and
    what was found (or, with --format json, the STIX bundle publishing it would make), the lines
    dropped as boilerplate, and whether the statistical recogniser ran."""
    from liaison.errors import InvalidInput
    from liaison.intel import drafts

    if format_ not in ("table", "json"):
        raise InvalidInput("--format is table or json")
    settings = _settings()
    with _engine(settings).begin() as conn:
        principal = accounts.principal_for_user(conn, as_)
        with err.status(f"extracting {file.name}"):
            view = drafts.create_draft(
                conn,
                principal,
                content=file.read_bytes(),
                filename=file.name,
                title=title,
                published=published,
                source=source,
                keep_boilerplate=keep_boilerplate,
                ner_plugin=settings.ner_plugin,
                use_model=settings.recogniser,
            )
        preview = drafts.preview_bundle(conn, principal, view.id) if format_ == "json" else None
    if preview is not None:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(preview, option=orjson.OPT_INDENT_2) + b"\n")
        err.print(f"draft {view.id}")
        return
    from rich.markup import escape

    out.print(f"draft [bold]{view.id}[/] — {escape(view.title)} ({view.published})", highlight=False)
    table = Table("kind", "mention", "resolved to", "confidence", "flags")
    for entity in view.review["entities"]:
        if not entity["mentions"]:
            continue  # combined into another
        first = entity["mentions"][0]
        name = f"{entity['name']} ({entity['ref']})" if entity["ref"] else f"{entity['name']} (new)"
        table.add_row(
            entity["kind"],
            escape(f"{first['text']} @{first['start']}"),
            escape(name),
            f"{entity['confidence']:.2f}",
            escape("; ".join(entity["conflicts"])),
        )
    for item in view.review["observables"]:
        first = item["mentions"][0]
        table.add_row(item["kind"], escape(f"{first['text']} @{first['start']}"), escape(item["value"]), "", "")
    for date in view.review["dates"]:
        table.add_row("date", escape(f"{date['text']} @{date['start']}"), date["value"], "", "")
    out.print(table)
    review = view.review
    if review.get("dropped"):
        out.print(f"{len(review['dropped'])} boilerplate lines dropped (--keep-boilerplate keeps them)")
    if recogniser := review.get("recogniser"):
        out.print(
            f"statistical recogniser: {escape(recogniser['detail'])}"
            if recogniser["on"]
            else f"statistical recogniser OFF: {escape(recogniser['detail'])}"
        )
    out.print(
        f"{len(view.review['relationships'])} suggested relationships; review and publish it in the web UI "
        f"or through POST /api/v1/drafts/{view.id}/publish"
    )
