"""What a county IT person (and a monitoring system) needs to know about a running server.

``report(server)`` backs ``GET /v1/health`` and ``uniondesk-server status``. It never contains
personal data: counts, times, codes and the schema revision only. It answers while the province
is unreachable: the relay part then shows the backlog growing and the last error.
"""

from __future__ import annotations

import shutil
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from sync.server import migrate
from sync.server.domain.relay import RELAY_LAST_FAILURE, RELAY_LAST_SUCCESS, RelayOutbox, load_link
from sync.server.domain.service import Server
from sync.server.store import now_iso
from sync.server.tables import meta


def _meta(server: Server, key: str) -> str | None:
    with server.store.read() as conn:
        return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()


def schema(server: Server) -> dict[str, Any]:
    """The database's schema revision, this program's newest, and whether they match."""
    with server.store.read() as conn:
        state = migrate.schema_state(conn)
    return {"revision": state.current, "head": state.head, "state": state.status}


def relay_status(server: Server) -> dict[str, Any] | None:
    """The county's relay: enrolled at a province, backlog per state, last success / failure
    (``None`` for a province)."""
    if server.config.level != "county":
        return None
    failure = _meta(server, RELAY_LAST_FAILURE)
    at, _, code = (failure or "").partition(" ")
    backlog = RelayOutbox(server).backlog()
    return {
        "enrolled": load_link(server) is not None,
        "waiting": backlog["pending"] + backlog["sealed"],  # accepted, not yet at the province
        "backlog": backlog,
        "last_success_at": _meta(server, RELAY_LAST_SUCCESS),
        "last_failure_at": at or None,
        "last_failure_code": code or None,
    }


def report(server: Server) -> dict[str, Any]:
    """The health document: ``status`` is ``ok`` or ``degraded`` (with ``problems``)."""
    problems: list[str] = []
    database: dict[str, Any] = {"dialect": server.store.engine.dialect.name}
    relay = None
    schema_doc: dict[str, Any] = {"revision": None, "head": migrate.head(), "state": "unknown"}
    try:
        with server.store.read() as conn:
            conn.execute(text("SELECT 1"))
        database["reachable"] = True
        schema_doc = schema(server)
        relay = relay_status(server)
    except SQLAlchemyError as exc:
        database["reachable"] = False
        database["error"] = type(getattr(exc, "orig", None) or exc).__name__
        problems.append("database_unreachable")
    if schema_doc["state"] not in ("current", "unknown"):
        problems.append("schema_mismatch")  # upgraded by another program while this one runs
    keys = server.data.signing_key is not None and server.data.hpke_key is not None
    if not keys:
        problems.append("keys_not_loaded")
    disk = shutil.disk_usage(server.data.path)
    if disk.free < 1024**3:
        problems.append("disk_low")
    if (
        relay is not None
        and relay["last_failure_at"]
        and (not relay["last_success_at"] or relay["last_failure_at"] > relay["last_success_at"])
    ):
        problems.append("relay_failing")
    return {
        "protocol": 1,
        "type": "health",
        "status": "down" if not database["reachable"] else "degraded" if problems else "ok",
        "problems": problems,
        "level": server.config.level,
        "server_id": server.config.server_id,
        "time": now_iso(),
        "database": database,
        "schema": schema_doc,
        "keys_loaded": keys,
        "disk": {"free_bytes": disk.free, "total_bytes": disk.total},
        "relay": relay,
    }
