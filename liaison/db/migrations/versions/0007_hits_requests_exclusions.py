"""hit/no-hit queries, requests for information, correlation exclusions

discovery_rule (who may learn by a hit query that an organisation holds an object), hit_query and
hit_ref (queries, their answers and the opaque references of hits), info_request (requests for
information that follow hits), correlation_exclusion and warninglist_switch (the admins' flood
control), sharing_group.pair_partner_id (the group an approved partner's request is shared through) and
instance_key.psi_key (the secret of the hit queries' oblivious PRF).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{table}_{column}_{target.split('.')[0]}")
    return sa.ForeignKeyConstraint([column], [target], ondelete=ondelete, name=name)


def upgrade() -> None:
    op.create_table(
        "discovery_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("group_id", sa.Integer()),
        sa.Column("set_at", sa.String(32), nullable=False),
        sa.CheckConstraint(
            "(scope = 'group') = (group_id IS NOT NULL) AND scope IN ('none', 'instance', 'partners', 'group')",
            name=op.f("ck_discovery_rule_known_scope"),
        ),
        _fk("discovery_rule", "org_id", "organization.id"),
        _fk("discovery_rule", "group_id", "sharing_group.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_rule")),
    )
    op.create_index("ix_discovery_rule_org_stix", "discovery_rule", ["org_id", "stix_id"])
    op.create_table(
        "hit_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer()),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        _fk("hit_query", "org_id", "organization.id"),
        _fk("hit_query", "user_id", "user_account.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_query")),
    )
    op.create_index("ix_hit_query_org_at", "hit_query", ["org_id", "at"])
    op.create_table(
        "hit_ref",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("holder_org_id", sa.Integer()),
        sa.Column("partner_id", sa.Integer()),
        sa.Column("holder_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        _fk("hit_ref", "query_id", "hit_query.id"),
        _fk("hit_ref", "holder_org_id", "organization.id"),
        _fk("hit_ref", "partner_id", "partner.id"),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_hit_ref")),
    )
    op.create_table(
        "info_request",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("requester_org_id", sa.Integer(), nullable=False),
        sa.Column("requester_name", sa.String(200), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("holder_org_id", sa.Integer()),
        sa.Column("holder_name", sa.String(200), nullable=False),
        sa.Column("partner_id", sa.Integer()),
        sa.Column("remote_id", sa.String(36)),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("deadline", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_at", sa.String(32)),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("message", sa.Text()),
        sa.Column("shared", sa.Text()),
        sa.Column("delivered_at", sa.String(32)),
        sa.CheckConstraint("status IN ('open', 'approved', 'declined')", name=op.f("ck_info_request_known_status")),
        _fk("info_request", "requester_org_id", "organization.id"),
        _fk("info_request", "holder_org_id", "organization.id"),
        _fk("info_request", "partner_id", "partner.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_request")),
    )
    op.create_index("ix_info_request_holder", "info_request", ["holder_org_id", "status"])
    op.create_index("ix_info_request_requester", "info_request", ["requester_org_id", "status"])
    op.create_table(
        "correlation_exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer()),
        sa.Column("what", sa.String(8), nullable=False),
        sa.Column("kind", sa.Text()),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.CheckConstraint("what IN ('value', 'type', 'org')", name=op.f("ck_correlation_exclusion_known_what")),
        _fk("correlation_exclusion", "org_id", "organization.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correlation_exclusion")),
    )
    op.create_index("ix_correlation_exclusion_org", "correlation_exclusion", ["org_id"])
    op.create_table(
        "warninglist_switch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer()),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.String(32), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        _fk("warninglist_switch", "org_id", "organization.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warninglist_switch")),
    )
    op.create_index("ix_warninglist_switch_org", "warninglist_switch", ["org_id"])
    with op.batch_alter_table("sharing_group") as batch:
        batch.add_column(sa.Column("pair_partner_id", sa.Integer()))
        batch.create_foreign_key(
            op.f("fk_sharing_group_pair_partner_id_partner"),
            "partner",
            ["pair_partner_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("instance_key") as batch:
        batch.add_column(sa.Column("psi_key", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("instance_key") as batch:
        batch.drop_column("psi_key")
    with op.batch_alter_table("sharing_group") as batch:
        batch.drop_constraint(op.f("fk_sharing_group_pair_partner_id_partner"), type_="foreignkey")
        batch.drop_column("pair_partner_id")
    for table, index in (
        ("warninglist_switch", "ix_warninglist_switch_org"),
        ("correlation_exclusion", "ix_correlation_exclusion_org"),
        ("info_request", "ix_info_request_requester"),
        ("info_request", "ix_info_request_holder"),
        ("hit_query", "ix_hit_query_org_at"),
        ("discovery_rule", "ix_discovery_rule_org_stix"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "warninglist_switch",
        "correlation_exclusion",
        "info_request",
        "hit_ref",
        "hit_query",
        "discovery_rule",
    ):
        op.drop_table(table)
