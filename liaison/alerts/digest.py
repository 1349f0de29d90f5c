"""The daily digest by e-mail: once a day, each user who gave an address is sent the alerts of the
last day it may still see (inbox.digest, read as the user when sent), as ids, types and links —
never content, since mail leaves the instance. Queued as a job keyed by user and day, so several
workers send it once."""

from __future__ import annotations

import re
import smtplib
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Connection, Engine

from liaison import clock
from liaison.access.principal import Action, Principal
from liaison.alerts import inbox
from liaison.errors import InvalidInput
from liaison.jobs import Retry
from liaison.stix.timestamps import format_ts
from liaison.store import jobs, tenancy
from liaison.store import watchlists as store

SEND = "digest.send"
_EMAIL_MAX = 254
#: One plain address: no display name, list, comment or header-breaking character.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def set_email(conn: Connection, principal: Principal, email: str | None) -> None:
    """Where the user's daily digest goes (None or empty: the UI only)."""
    principal.require(Action.READ)
    email = (email or "").strip() or None
    if email is not None and (len(email) > _EMAIL_MAX or not _ADDRESS.match(email)):
        raise InvalidInput(f"'{email}' is not one e-mail address", parameter="email")
    store.set_digest_email(conn, principal, email)


def email_of(conn: Connection, principal: Principal) -> str | None:
    row = store.settings_of(conn, principal)
    return row.digest_email if row else None


def queue_due(engine: Engine) -> int:
    """Queue today's digest for each user whose last one is a day old (periodic); how many."""
    day = datetime.now(UTC)
    queued = 0
    with engine.begin() as conn:
        for user_id, _email in store.digests_due(conn, format_ts(day - timedelta(hours=24))):
            if jobs.enqueue(conn, SEND, {"user": user_id}, key=f"digest:{user_id}:{day.date().isoformat()}"):
                queued += 1
    return queued


def compose(conn: Connection, principal: Principal, base_url: str, sender: str, to: str) -> EmailMessage | None:
    """The digest message for the user, or None when it has no alerts to tell."""
    found = inbox.digest(conn, principal)
    if not found.total:
        return None
    lines = [f"{found.total} alert(s) since {found.since} on {base_url}:", ""]
    for watchlist_id, _shown, alerts in found.by_watchlist:
        lines.append(f"Watchlist {watchlist_id}: {len(alerts)} alert(s)")
        lines += [f"  {a.kind} {a.object_type} {base_url}/objects/{a.object_id}" for a in alerts]
        lines.append("")
    lines.append(f"All alerts: {base_url}/alerts")
    message = EmailMessage()
    message["Subject"] = f"Liaison: {found.total} new alert(s)"
    message["From"], message["To"] = sender, to
    message.set_content("\n".join(lines))
    return message


def send(engine: Engine, payload: dict, *, server: str, sender: str, base_url: str) -> None:
    """Send one user's digest (a job); Retry when the SMTP server cannot be reached."""
    user_id = int(payload["user"])
    with engine.begin() as conn:
        if not store.user_enabled(conn, user_id):
            return
        principal = tenancy.principal_for_user(conn, user_id)
        to = email_of(conn, principal)
        message = compose(conn, principal, base_url, sender, to) if to else None
    if message is not None:
        host, _, port = server.rpartition(":") if ":" in server else (server, "", "25")
        try:
            with smtplib.SMTP(host, int(port), timeout=30) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise Retry(f"{type(exc).__name__}: {exc}") from None
    with engine.begin() as conn:
        store.digest_sent(conn, user_id, clock.now())
