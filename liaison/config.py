"""Settings from the environment (LIAISON_*), one object, read by the composition root or a CLI
command and passed down (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Instance settings; every field can be set as LIAISON_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="LIAISON_")

    database_url: str = f"sqlite:///{Path('var/liaison.db').resolve()}"
    instance_name: str = "Liaison"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Largest bundle the REST API accepts, in bytes; larger files go through `liaison import`.
    max_upload_bytes: int = 100 * 1024 * 1024
    #: Objects validated and written per batch inside one import transaction.
    ingest_batch: int = 2000
    #: Seconds between background syncs with partners while `serve` runs; 0 turns it off.
    sync_interval: float = 300.0
    #: Session cookies only over HTTPS even when the request arrived as HTTP (behind a TLS proxy).
    secure_cookies: bool = False
    #: Optional named-entity recogniser for report extraction, "package.module:callable"; off when empty.
    ner_plugin: str = ""
    #: The statistical recogniser (spaCy's pinned small English model) proposes names to the rules;
    #: False turns it off (extraction then runs on the rules alone, and drafts say so).
    recogniser: bool = True
    #: Processes the server runs the recogniser in, beside the rules, so that a draft takes about
    #: the longer of the two instead of their sum; a longer text is read in parts by all of them
    #: at once. 0 runs it in the server's own process.
    recogniser_processes: int = Field(default=2, ge=0, le=16)
    #: A value more objects than this carry (of those a reader may see) is shown as common, with
    #: its count, instead of listing every correlation.
    correlation_cap: int = 100
    #: Hit/no-hit queries: how many values one organisation may ask about per window (seconds),
    #: and how many blinded elements a partner instance may send per window.
    hit_values_per_window: int = 1000
    hit_window_seconds: int = 3600
    hit_partner_elements_per_window: int = 50_000
    #: Seconds a hit answer takes at least, so that its time says nothing of what was matched.
    hit_answer_floor: float = 0.05
    #: Hours a holder has to answer a request for information by default (Prüm II: 48).
    request_deadline_hours: int = 48
    #: Days the live stream's events are kept: a reader may resume that long after a disconnection.
    event_days: int = 30
    #: The address users reach this instance at: links in webhooks and e-mailed digests start with it
    #: (by default http://<host>:<port>).
    public_url: str = ""
    #: Hosts webhooks may be registered to, comma-separated ("hooks.example.org,.siem.example.org":
    #: a leading dot allows the domain's subdomains). None by default: the operator opts in.
    webhook_hosts: str = ""
    #: Webhook deliveries: attempts before one is logged as failed, and the first retry's delay in
    #: seconds (doubled at each attempt, at most an hour).
    webhook_attempts: int = 6
    webhook_backoff: float = 30.0
    #: Seconds a webhook delivery may take in all (a receiver that trickles its answer is cut off).
    webhook_timeout: float = 10.0
    #: The daily digest by e-mail: the SMTP server ("host:port"; off when empty) and the sender.
    smtp_server: str = ""
    smtp_sender: str = "liaison@localhost"
    #: Background jobs (alert evaluation, webhooks, digests) run in the serving process; False
    #: leaves them to another process (`liaison worker`).
    run_jobs: bool = True

    #: Open live streams one token may hold at once (more answer 429).
    streams_per_token: int = 20
    #: Seconds between the live stream's reads of the outbox when no commit woke it (on PostgreSQL a
    #: commit in any process wakes it at once, through NOTIFY).
    stream_poll: float = 0.5

    @property
    def extraction(self) -> dict:
        """How drafts are extracted, as intel.drafts takes it: the plug-in, the recogniser, and
        how many processes it runs in."""
        return {
            "ner_plugin": self.ner_plugin,
            "use_model": self.recogniser,
            "model_processes": self.recogniser_processes,
        }

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
