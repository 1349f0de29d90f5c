"""operators, scoped and expiring tokens, group owners and invitations, failed-login records

user_account: `org_id` may be empty, for operators (role 'operator'), who belong to no organisation.
api_token: `scope` ('read', 'write', 'sync'; existing tokens get what their user's role allowed)
and `expires_at` (empty for existing tokens: they never had one). sharing_group: `owner_org_id`,
set for existing groups to their first local member. group_invitation and auth_failure and auth_lock are new;
user_account.must_change_password is set when an administrator chose the password.
Drafts under review keep only what their text says: a finding linked to a known object loses the
name and attributes that were copied from it (they are read from the object, as its reader sees
it, whenever the draft is read), and its warnings, which named the object in words.

Revision ID: 0005
Revises: 0004
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _text_side(entity: dict) -> dict:
    """A draft finding as the text gives it: what came from a linked object is left out."""
    if "flags" in entity:
        return entity
    entity = {k: v for k, v in entity.items() if k != "conflicts"}
    entity["flags"] = []
    entity["candidates"] = [{"ref": c["ref"], "confidence": c["confidence"]} for c in entity.get("candidates", [])]
    if entity.get("ref"):
        mentions = entity.get("mentions") or []
        entity.update(attrs={}, name=mentions[0]["text"] if mentions else entity["name"])
    return entity


def _drafts_to_text_side(conn) -> None:
    drafts = sa.table("draft_report", sa.column("id"), sa.column("status"), sa.column("review"))
    for draft_id, review in conn.execute(
        sa.select(drafts.c.id, drafts.c.review).where(drafts.c.status == "draft")
    ).all():
        doc = json.loads(review)
        doc["entities"] = [_text_side(e) for e in doc.get("entities", [])]
        conn.execute(sa.update(drafts).where(drafts.c.id == draft_id).values(review=json.dumps(doc)))


def upgrade() -> None:
    _drafts_to_text_side(op.get_bind())
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("org_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(op.f("ck_user_account_known_role"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_user_account_known_role"), "role IN ('operator', 'admin', 'analyst', 'reader', 'sync')"
        )
        batch_op.create_check_constraint(
            op.f("ck_user_account_operator_has_no_org"), "(role = 'operator') = (org_id IS NULL)"
        )
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE api_token SET scope = CASE (SELECT role FROM user_account WHERE user_account.id = "
        "api_token.user_id) WHEN 'reader' THEN 'read' WHEN 'sync' THEN 'sync' ELSE 'write' END"
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column("scope", existing_type=sa.String(length=8), nullable=False)
        batch_op.create_check_constraint(op.f("ck_api_token_known_scope"), "scope IN ('read', 'write', 'sync')")
    with op.batch_alter_table("sharing_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_org_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sharing_group_owner_org_id_organization"),
            "organization",
            ["owner_org_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE sharing_group SET owner_org_id = (SELECT min(m.org_id) FROM group_member m "
        "JOIN organization o ON o.id = m.org_id WHERE m.group_id = sharing_group.id "
        "AND o.partner_id IS NULL)"
    )
    op.create_table(
        "group_invitation",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", sa.String(length=32), nullable=False),
        sa.Column("invited_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["sharing_group.id"],
            ondelete="CASCADE",
            name=op.f("fk_group_invitation_group_id_sharing_group"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], ondelete="CASCADE", name=op.f("fk_group_invitation_org_id_organization")
        ),
        sa.PrimaryKeyConstraint("group_id", "org_id", name=op.f("pk_group_invitation")),
    )
    op.create_table(
        "auth_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_failure")),
    )
    op.create_index("ix_auth_failure_key_at", "auth_failure", ["key", "at"], unique=False)
    op.create_table(
        "auth_lock",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_lock")),
    )


def downgrade() -> None:
    op.drop_table("auth_lock")
    op.drop_table("auth_failure")
    op.drop_table("group_invitation")
    with op.batch_alter_table("sharing_group", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_sharing_group_owner_org_id_organization"), type_="foreignkey")
        batch_op.drop_column("owner_org_id")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_token_known_scope"), type_="check")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
    op.execute("DELETE FROM user_account WHERE role = 'operator'")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_constraint(op.f("ck_user_account_operator_has_no_org"), type_="check")
        batch_op.drop_constraint(op.f("ck_user_account_known_role"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_user_account_known_role"), "role IN ('admin', 'analyst', 'reader', 'sync')"
        )
        batch_op.alter_column("org_id", existing_type=sa.Integer(), nullable=False)
