"""Table definitions (SQLAlchemy Core). The Alembic migrations create exactly these."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organization = Table(
    "organization",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("identity_id", String(100), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    #: Set for the organisation that stands for a partner instance (a remote organisation).
    Column("partner_id", Integer, ForeignKey("partner.id", ondelete="CASCADE"), unique=True),
)

sharing_group = Table(
    "sharing_group",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
    #: The organisation whose admins invite members; none for a group only the operator manages.
    Column("owner_org_id", Integer, ForeignKey("organization.id", ondelete="SET NULL")),
    #: Set on a group this instance and a partner instance agreed for the pair, of one local
    #: organisation and the partner's: what that organisation approves for a request from the
    #: partner is shared through it (and sync carries it), so no one else reads it.
    Column("pair_partner_id", Integer, ForeignKey("partner.id", ondelete="SET NULL")),
)

group_member = Table(
    "group_member",
    metadata,
    Column("group_id", Integer, ForeignKey("sharing_group.id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
)

#: An organisation invited into a sharing group by the group's owner; it joins when its admin
#: accepts (the row then goes, and a group_member row comes).
group_invitation = Table(
    "group_invitation",
    metadata,
    Column("group_id", Integer, ForeignKey("sharing_group.id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("invited_at", String(32), nullable=False),
    Column("invited_by", String(100), nullable=False),
)

#: Who may see a holding: one row per organisation (kind org), per sharing group (kind group),
#: and one for the whole instance.
audience = Table(
    "audience",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), unique=True),
    Column("group_id", Integer, ForeignKey("sharing_group.id", ondelete="CASCADE"), unique=True),
    #: The TAXII collection that publishes this audience.
    Column("collection_id", String(36), nullable=False, unique=True, default=lambda: str(uuid.uuid4())),
    CheckConstraint(
        "(kind = 'org' AND org_id IS NOT NULL AND group_id IS NULL)"
        " OR (kind = 'group' AND group_id IS NOT NULL AND org_id IS NULL)"
        " OR (kind = 'instance' AND org_id IS NULL AND group_id IS NULL)",
        name="kind_matches_target",
    ),
)

user = Table(
    "user_account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    #: None for the instance's operators, who belong to no organisation and read no intelligence.
    Column("org_id", Integer, ForeignKey("organization.id")),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(32), nullable=False),
    #: Set when an administrator chose the password: its owner replaces it at the next login, so
    #: no administrator keeps a credential of another's account.
    Column("must_change_password", Boolean, nullable=False, default=False),
    CheckConstraint("role IN ('operator', 'admin', 'analyst', 'reader', 'sync')", name="known_role"),
    CheckConstraint("(role = 'operator') = (org_id IS NULL)", name="operator_has_no_org"),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("last_used_at", String(32)),
    Column("revoked_at", String(32)),
    #: What the token may do: 'read' (GET only), 'write' (what the user's role allows) or 'sync'
    #: (TAXII and the instance's key only; never the web UI or the REST API's other routes).
    Column("scope", String(8), nullable=False),
    #: When it stops working; None only for tokens made before tokens had an expiry.
    Column("expires_at", String(32)),
    CheckConstraint("scope IN ('read', 'write', 'sync')", name="known_scope"),
)

#: Failed (and, while a password is checked, pending) authentications, one row each, keyed by
#: 'user:<name>' for passwords and 'addr:<client address>' for passwords and tokens: failures are
#: counted over a sliding window. Written in its own transaction, so a failure counts whatever
#: becomes of the request.
auth_failure = Table(
    "auth_failure",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False),
    Column("at", String(32), nullable=False),
    Index("ix_auth_failure_key_at", "key", "at"),
)

#: Keys locked out after too many failures, until `locked_until`; each key's row also serialises
#: its concurrent attempts (it is written before they are counted).
auth_lock = Table(
    "auth_lock",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", String(32)),
)

#: One row per content of a STIX object version: (stix_id, modified) plus the exact canonical JSON
#: received (`raw`, told apart by its SHA-256 `digest`). Producers re-publish a version with other
#: content under the same `modified` (a correction); each content is kept. The other columns are
#: derived from `raw` for indexing, except `owner_org_id`: the local organisation that owns the id
#: (the one its first stored version's `created_by_ref` names, else the first to store it), the
#: same on every row of an id and fixed once stored.
object_version = Table(
    "object_version",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("stix_id", String(300), nullable=False),
    Column("modified", String(32), nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(8)),
    Column("created", String(32)),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("tlp", String(16)),
    Column("name", Text),
    Column("created_by_ref", String(300)),
    Column("raw", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("owner_org_id", Integer, ForeignKey("organization.id")),
    UniqueConstraint("stix_id", "modified", "digest"),
    Index("ix_object_version_type_modified", "type", "modified"),
    Index("ix_object_version_modified", "modified"),
)

#: An organisation's holding of a version content, shared with one audience; an organisation shares
#: what it holds with as many audiences as it wants, one row each. The same content (public ATT&CK
#: data, TLP marking definitions) can be held by several organisations, each with its own
#: audiences, without one holding revealing the other. An organisation's holdings of one
#: (stix_id, modified) form its chain's version there and point at one content: when a correction
#: arrives they are kept as history (`superseded_at` set) and the new content is held instead.
holding = Table(
    "holding",
    metadata,
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id"), primary_key=True),
    Column("audience_id", Integer, ForeignKey("audience.id"), primary_key=True),
    Column("added_at", String(32), nullable=False),
    Column("added_by", Integer, ForeignKey("user_account.id")),
    #: When a correction from the same organisation replaced this content (history only since).
    Column("superseded_at", String(32)),
    # Serves the access predicate (version, audience) and finding a version's earliest holding
    # in a collection (version, audience, added_at) without a scan of the collection.
    Index("ix_holding_version_audience_added", "version_pk", "audience_id", "added_at"),
    Index("ix_holding_added_at", "added_at"),
    Index("ix_holding_audience_added", "audience_id", "added_at"),
)

object_label = Table(
    "object_label",
    metadata,
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), primary_key=True),
    Column("label", String(250), primary_key=True),
    Index("ix_object_label_label", "label"),
)

#: References from a version to other objects: relationship endpoints (prop "source_ref"/"target_ref",
#: with the relationship type) and embedded refs (created_by_ref, object_refs, ...).
edge = Table(
    "edge",
    metadata,
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), nullable=False),
    Column("prop", String(300), nullable=False),
    Column("target_id", String(300), nullable=False),
    Column("relationship_type", String(250)),
    Index("ix_edge_version", "version_pk"),
    # Finding what refers to an id, and its `duplicate-of` merges without walking every reference.
    Index("ix_edge_target_type", "target_id", "relationship_type"),
)


#: Correlation postings: each correlatable value a version carries (stix.values.postings), one row
#: per (version, kind, normalised key). Postings, never pairs: space grows with the data, and every
#: read joins them with the access predicate, so what correlates is judged over the reader's view.
#: Derived from the version's content, without a foreign key of its own (migration 0012 says why):
#: the store deletes a version's postings before the version.
posting = Table(
    "posting",
    metadata,
    Column("version_pk", Integer, primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Index("ix_posting_kind_key", "kind", "key"),
    # On SQLite the rows live in the primary key's B-tree: one tree less to write per posting.
    sqlite_with_rowid=False,
)

#: Each posting once per audience a live holding shares its version with, keyed (kind, audience,
#: key, version): a correlation read walks the postings of the reader's audiences only, so its work
#: (and time) does not grow with what others hold of a value out of the reader's sight. Kept in step
#: with postings and holdings by store.exposure. Derived data, without foreign keys of its own
#: (migration 0012 says why).
posting_exposure = Table(
    "posting_exposure",
    metadata,
    Column("kind", Text, primary_key=True),
    Column("audience_id", Integer, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("version_pk", Integer, primary_key=True),
    Index("ix_posting_exposure_version_pk", "version_pk"),
    sqlite_with_rowid=False,
)

#: Who may learn, by a hit/no-hit query, that an organisation holds an object (never what it is):
#: one row per (organisation, object, scope). `stix_id` '*' holds the organisation's default for
#: objects with no row of their own. Scopes: 'none' (an explicit no), 'instance' (local
#: organisations), 'partners' (partner instances), 'group' (members of `group_id`).
discovery_rule = Table(
    "discovery_rule",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False),
    Column("stix_id", String(300), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("group_id", Integer, ForeignKey("sharing_group.id", ondelete="CASCADE")),
    Column("set_at", String(32), nullable=False),
    CheckConstraint(
        "(scope = 'group') = (group_id IS NOT NULL) AND scope IN ('none', 'instance', 'partners', 'group')",
        name="known_scope",
    ),
    Index("ix_discovery_rule_org_stix", "org_id", "stix_id"),
)

#: A hit/no-hit query and its answer, kept for the asking user's history and for the rate limit.
hit_query = Table(
    "hit_query",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE")),
    Column("at", String(32), nullable=False),
    #: How many values the query asked about: what the rate limit counts.
    Column("size", Integer, nullable=False),
    #: The answer as the caller received it (JSON): its values, hits and references.
    Column("answer", Text, nullable=False),
    Index("ix_hit_query_org_at", "org_id", "at"),
)

#: The opaque reference of one hit: a random token, fresh for every hit, that names the holder and
#: the value asked about (never an object); a request for information cites it.
hit_ref = Table(
    "hit_ref",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("query_id", Integer, ForeignKey("hit_query.id", ondelete="CASCADE"), nullable=False),
    #: The local holder; None when the holder is on a partner instance (`partner_id`).
    Column("holder_org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE")),
    Column("partner_id", Integer, ForeignKey("partner.id", ondelete="CASCADE")),
    Column("holder_name", String(200), nullable=False),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

#: A request for information that follows a hit: the requester asks the holder for what matched,
#: with a reason and a deadline; the holder approves (sharing through the normal rules) or declines.
#: A request between instances has a row on each side (`partner_id`, `remote_id`).
info_request = Table(
    "info_request",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("requester_org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False),
    #: The requesting organisation's name (on a partner instance, as that instance names it).
    Column("requester_name", String(200), nullable=False),
    Column("requested_by", String(100), nullable=False),
    #: The local holder; None on the requester's side of a request to a partner instance.
    Column("holder_org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE")),
    Column("holder_name", String(200), nullable=False),
    Column("partner_id", Integer, ForeignKey("partner.id", ondelete="CASCADE")),
    Column("remote_id", String(36)),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("deadline", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_at", String(32)),
    Column("decided_by", String(100)),
    Column("message", Text),
    #: STIX ids shared by the approval.
    Column("shared", Text),
    #: Between instances: when the request (requester's side) or the decision (holder's side)
    #: reached the other instance; None until then (the next sync tries again).
    Column("delivered_at", String(32)),
    CheckConstraint("status IN ('open', 'approved', 'declined')", name="known_status"),
    Index("ix_info_request_holder", "holder_org_id", "status"),
    Index("ix_info_request_requester", "requester_org_id", "status"),
)

#: Values, types or source organisations an organisation's correlations leave out (org_id None:
#: the whole instance's, set by an operator).
correlation_exclusion = Table(
    "correlation_exclusion",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE")),
    #: 'value' (kind and normalised key), 'type' (a STIX type or a value kind) or 'org' (a source).
    Column("what", String(8), nullable=False),
    Column("kind", Text),
    Column("key", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(100), nullable=False),
    CheckConstraint("what IN ('value', 'type', 'org')", name="known_what"),
    Index("ix_correlation_exclusion_org", "org_id"),
)

#: Warning lists switched off (MISP warninglists by name), per organisation or (org_id None) for
#: the instance; every list is on unless a row here says otherwise.
warninglist_switch = Table(
    "warninglist_switch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE")),
    Column("name", Text, nullable=False),
    Column("changed_at", String(32), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Index("ix_warninglist_switch_org", "org_id"),
)

#: Partner instances this one federates with over TAXII 2.1, with their pinned signing keys.
partner = Table(
    "partner",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("url", String(500)),
    #: The API token the partner issued to us; sent as a Bearer token when we call it.
    Column("token", String(200)),
    Column("public_key", String(100)),
    Column("key_id", String(64), unique=True),
    Column("created_at", String(32), nullable=False),
)

#: Where a sync with a partner stands: one row per partner, direction and collection.
sync_state = Table(
    "sync_state",
    metadata,
    Column("partner_id", Integer, ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True),
    Column("direction", String(8), primary_key=True),
    Column("collection_id", String(36), primary_key=True),
    Column("bookmark", String(32)),
    Column("objects", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("last_run_at", String(32)),
    Column("last_error", Text),
    CheckConstraint("direction IN ('pull', 'push')", name="known_direction"),
)

#: What partner instances received of each organisation's objects, and through which audience:
#: written when a sync pushes a page and when a partner's sync account reads a collection, kept
#: when the object is later withdrawn (what partners received stays theirs).
partner_delivery = Table(
    "partner_delivery",
    metadata,
    Column("partner_org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("stix_id", String(300), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("audience_id", Integer, ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True),
    Column("first_at", String(32), nullable=False),
    Column("last_at", String(32), nullable=False),
    Index("ix_partner_delivery_stix_id", "stix_id"),
)

#: This instance's Ed25519 signing key (one row).
instance_key = Table(
    "instance_key",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("private_key", String(100), nullable=False),
    Column("public_key", String(100), nullable=False),
    Column("created_at", String(32), nullable=False),
    #: The secret of the hit queries' oblivious PRF (private set intersection with partners).
    Column("psi_key", String(64)),
)

#: The originating instance's detached signature over a version's canonical JSON.
provenance = Table(
    "provenance",
    metadata,
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), primary_key=True),
    Column("origin", String(100), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", String(100), nullable=False),
    Column("signed_at", String(32), nullable=False),
)

#: TAXII status resources of POSTed envelopes.
taxii_status = Table(
    "taxii_status",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
    Column("request_timestamp", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("total_count", Integer, nullable=False),
    Column("success_count", Integer, nullable=False),
    Column("failure_count", Integer, nullable=False),
    Column("pending_count", Integer, nullable=False),
    Column("details", Text, nullable=False),
)

#: The tamper-evident audit log: each entry's hash covers its content and the previous hash.
audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(300)),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index("ix_audit_event_action", "action"),
)

#: Draft reports made from open-source text, private to the organisation that made them until an
#: analyst publishes them (their STIX objects then enter the store with the chosen audience).
draft_report = Table(
    "draft_report",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False),
    Column("created_by", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("title", Text, nullable=False),
    #: Where the text came from: a file name or a URL.
    Column("source", Text),
    #: The article's own date (ISO), the base of relative dates.
    Column("published", String(32)),
    Column("text", Text, nullable=False),
    #: The extraction and the analyst's review of it (JSON).
    Column("review", Text, nullable=False),
    #: The STIX id of the report once published.
    Column("report_id", String(300)),
    CheckConstraint("status IN ('draft', 'published', 'discarded')", name="known_status"),
    Index("ix_draft_report_org_status", "org_id", "status", "updated_at"),
)

#: Browser sessions of the web UI: the SHA-256 digest of the random cookie token (the token itself
#: is never stored), the session's CSRF token and its expiry.
web_session = Table(
    "web_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False, index=True),
)

#: The names and aliases of each version as search keys (stix.names.name_keys), one row per word
#: of a name: the name from word `position` on, as its light fold (`key`, matched exactly and by
#: its start) and its skeleton (matched exactly and within a typo); both folds are extraction's
#: (liaison.stix.folding). Ranked and matched per version, so a reader's results are ranked by the
#: names of the versions it reads, never by another organisation's.
name_key = Table(
    "name_key",
    metadata,
    # Byte order on PostgreSQL too, whatever the database's locale: keys are matched by prefix
    # ranges, which a linguistic collation (that skips spaces) would not keep.
    Column("key", Text().with_variant(Text(collation="C"), "postgresql"), primary_key=True),
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("skeleton", Text().with_variant(Text(collation="C"), "postgresql"), nullable=False),
    Index("ix_name_key_version_pk", "version_pk"),
    Index("ix_name_key_skeleton", "skeleton"),
    sqlite_with_rowid=False,
)

#: The outbox: one row per holding a change made live (a new version, a correction, a revocation,
#: a share with one more audience), written in the transaction of the change, under the write lock
#: (store.stamps), so ids increase in commit order and a reader resuming after an id misses
#: nothing. It names the holding (version, organisation, audience): an event reaches only members
#: of that audience, and only while that holding is live, when it is delivered.
event = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), nullable=False),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE")),
    Column("audience_id", Integer, ForeignKey("audience.id", ondelete="CASCADE"), nullable=False),
    Index("ix_event_at", "at"),
    sqlite_autoincrement=True,
)

#: A user's saved searches: a name and the search page's query string (what the page was asked).
#: Random ids: a sequence would tell one user how many searches others saved in between.
saved_search = Table(
    "saved_search",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("query", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("user_id", "name"),
)

#: A user's watchlists: what to be told of. `kind` is entity, value, place, type or search;
#: `target` the watched thing as JSON (a STIX id; a value's normalised postings; a country code or a
#: point and radius; a type; a saved search's id); `shown` how it reads. A user's alone, like
#: saved searches; random ids for the same reason.
watchlist = Table(
    "watchlist",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("shown", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("user_id", "kind", "target"),
)

#: An alert: a version that matched a watchlist, raised for the watchlist's user when it could see
#: it. Shown and delivered only while the user may still see that version (checked each time).
alert = Table(
    "alert",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
    Column("watchlist_id", String(36), ForeignKey("watchlist.id", ondelete="CASCADE"), nullable=False),
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raised_at", String(32), nullable=False),
    Column("read_at", String(32)),
    UniqueConstraint("watchlist_id", "version_pk"),
    Index("ix_alert_user_raised", "user_id", "raised_at"),
)

#: Per user: where the daily digest goes by e-mail (none: in the UI only) and when it was last sent.
alert_settings = Table(
    "alert_settings",
    metadata,
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("digest_email", String(254)),
    Column("digest_sent_at", String(32)),
)

#: Where a background reader of the outbox has got to (the alert evaluator), taken under a lock
#: so that several workers never evaluate the same events at once.
outbox_cursor = Table(
    "outbox_cursor",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
)

#: An organisation's webhooks: its members' alerts are POSTed there (ids, types and links, never
#: content), signed with `secret` (HMAC-SHA256), to hosts the operator allows.
webhook = Table(
    "webhook",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

#: The delivery log: one row per alert (or test) sent to a webhook, with its attempts and outcome.
webhook_delivery = Table(
    "webhook_delivery",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("webhook_id", String(36), ForeignKey("webhook.id", ondelete="CASCADE"), nullable=False),
    Column("alert_id", String(36), ForeignKey("alert.id", ondelete="CASCADE")),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    UniqueConstraint("webhook_id", "alert_id"),
    Index("ix_webhook_delivery_webhook_created", "webhook_id", "created_at"),
)

#: The job queue: background work that must survive a restart and run once across workers. A
#: worker claims a due job (SKIP LOCKED on PostgreSQL) with a lease; a job whose lease ran out (its
#: worker died) is claimed again. `key` names a job that must not be queued twice (a day's digest).
job = Table(
    "job",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("key", String(100), unique=True),
    #: At most one job of a lane runs at a time (an organisation's webhook deliveries: a receiver
    #: that takes its time holds one worker thread, never all of them).
    Column("lane", String(64)),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("run_at", String(32), nullable=False),
    Column("locked_until", String(32)),
    Column("last_error", Text),
    Column("created_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="known_job_state"),
    Index("ix_job_state_run_at", "state", "run_at"),
    Index("ix_job_lane_state", "lane", "state"),
    sqlite_autoincrement=True,
)

#: Full-text search structures that migration 0003 builds each database's own way and SQLAlchemy
#: does not model: SQLite's FTS5 table `object_search` (with its shadow tables `object_search_*`)
#: and PostgreSQL's expression index over `liaison_search_vector(raw)`.
SEARCH_STRUCTURES = ("object_search", "ix_object_version_search")


def modelled(name: str | None, _type: str, _parent_names: dict) -> bool:
    """Alembic `include_name` filter: schema comparisons skip the search structures."""
    return not (name and name.startswith(SEARCH_STRUCTURES))
