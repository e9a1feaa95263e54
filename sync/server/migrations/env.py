"""Alembic's environment for the server's database (run by ``sync.server.migrate``).

The caller hands over an open connection (``config.attributes["connection"]``), so migrations
use the same engine, pragmas and transaction handling as the server (``sync.server.store``).
Each revision runs in its own transaction; SQLite alters tables in batch mode (copy and move),
since its ALTER TABLE cannot change or drop columns.
"""

from __future__ import annotations

from alembic import context

from sync.server.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    transaction_per_migration=True,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
