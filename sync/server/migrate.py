"""The schema revision of a server database, and bringing it forward (Alembic).

The schema changes only through a revision in ``sync/server/migrations/versions``; ``tables.py``
is what the newest one (the *head*) produces. A database is in one of five states:

- ``empty``: no tables yet; opening it creates the head schema (``create_all`` plus a stamp,
  in one transaction: Alembic's advice for new databases, and as fast as before);
- ``current``: at the head;
- ``behind``: at an older revision, or made by the release before migrations (its ``meta`` row
  ``schema = "1"`` and no ``alembic_version``: revision 0001). ``serve`` refuses it and names
  ``uniondesk-server upgrade``;
- ``ahead``: at a revision this program does not know, i.e. made by a newer UnionDesk; refused
  too (an older program must not write into a schema it does not understand);
- ``foreign``: tables, but not a UnionDesk server's.

``upgrade`` applies the pending revisions, each in its own transaction, on SQLite and PostgreSQL
alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection, Engine

from sync.server.config import ServerSetupError
from sync.server.tables import meta, metadata

MIGRATIONS = Path(__file__).with_name("migrations")
LEGACY_REVISION = "0001"  # what a database of the release before migrations is
UPGRADE_COMMAND = "uniondesk-server upgrade --data DIR"

Status = Literal["empty", "current", "behind", "ahead", "foreign"]


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against this program's revisions."""

    status: Status
    current: str | None  # the database's revision (None: empty or foreign)
    head: str  # this program's newest revision
    legacy: bool = False  # made by the release before migrations (no alembic_version)

    def pending(self) -> list[str]:
        """The revisions ``upgrade`` would apply, oldest first."""
        if self.status == "empty":
            return list(reversed([r.revision for r in _scripts().walk_revisions()]))
        if self.status != "behind":
            return []
        revs = _scripts().iterate_revisions(self.head, self.current)
        return list(reversed([r.revision for r in revs]))


class SchemaMismatch(ServerSetupError):
    """The database is not at the revision this program runs on (behind, ahead or foreign)."""

    def __init__(self, state: SchemaState, where: str = "DIR") -> None:
        self.state = state
        super().__init__(mismatch_message(state, where))


def mismatch_message(state: SchemaState, where: str = "DIR") -> str:
    if state.status == "behind":
        origin = " (made by the release before schema migrations)" if state.legacy else ""
        return (
            f"the database is at schema revision {state.current}{origin}; this program needs "
            f"{state.head}: stop the server, back up the database, then run "
            f"'uniondesk-server upgrade --data {where}'"
        )
    if state.status == "ahead":
        return (
            f"the database is at schema revision {state.current}, newer than this program "
            f"knows (up to {state.head}): it was upgraded by a newer UnionDesk server; run that "
            "version (or restore the backup taken before the upgrade)"
        )
    return (
        "the database holds tables that are not a UnionDesk server's; check db_url in config.json"
    )


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    revision = _scripts().get_current_head()
    assert revision is not None, "no migrations found"
    return revision


def describe(revision: str) -> str:
    """The first line of a revision's docstring (what it changes)."""
    script = _scripts().get_revision(revision)
    return (script.doc or "").strip().splitlines()[0] if script is not None else revision


def schema_state(conn: Connection) -> SchemaState:
    """The state of the database behind ``conn`` (reads only)."""
    top = head()
    tables = set(inspect(conn).get_table_names())
    current = MigrationContext.configure(conn).get_current_revision()
    if current is not None:
        try:
            known = _scripts().get_revision(current) is not None
        except Exception:  # alembic raises its own errors for an unknown id
            known = False
        if not known:
            return SchemaState("ahead", current, top)
        return SchemaState("current" if current == top else "behind", current, top)
    if not tables - {"alembic_version"}:
        return SchemaState("empty", None, top)
    if "meta" in tables:
        marker = conn.execute(select(meta.c.value).where(meta.c.key == "schema")).scalar()
        if marker == "1":
            return SchemaState("behind", LEGACY_REVISION, top, legacy=True)
    return SchemaState("foreign", None, top)


def open_schema(engine: Engine) -> SchemaState:
    """Called when a server opens its database: create the schema of an empty database, accept
    a current one, and raise :class:`SchemaMismatch` for any other."""
    with engine.connect() as conn:
        state = schema_state(conn)
        conn.rollback()
    if state.status == "empty":
        with engine.begin() as conn:
            metadata.create_all(conn)
            MigrationContext.configure(conn).stamp(_scripts(), state.head)
        return SchemaState("current", state.head, state.head)
    if state.status != "current":
        raise SchemaMismatch(state)
    return state


def upgrade(engine: Engine, sealer: Any = None) -> tuple[SchemaState, list[str]]:
    """Apply the pending revisions (each in its own transaction). Returns the state before and
    the revisions applied; raises :class:`SchemaMismatch` for an ahead or foreign database.
    ``sealer`` (``domain.personal.Sealer``) seals existing personal values (revision 0004)."""
    with engine.connect() as conn:
        before = schema_state(conn)
        conn.rollback()
    if before.status in ("ahead", "foreign"):
        raise SchemaMismatch(before)
    applied = before.pending()
    if not applied:
        return before, []
    with engine.connect() as conn:
        cfg = _config(conn)
        cfg.attributes["sealer"] = sealer
        if before.legacy:
            command.stamp(cfg, LEGACY_REVISION)
            if conn.in_transaction():
                conn.commit()
        command.upgrade(cfg, "head")
        if conn.in_transaction():
            conn.commit()
    return before, applied
