"""Alembic environment: runs on the connection handed over by liaison.db.engine.migrate."""

from alembic import context

from liaison.db.tables import metadata, modelled

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, include_name=modelled)
with context.begin_transaction():
    context.run_migrations()
