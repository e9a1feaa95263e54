"""Helpers for the sync client tests: a real county server (HTTPS on 127.0.0.1, in this process)
that can be killed and restarted and can answer 500, real township workspaces, record data.

The county (like the province of ``relay_support``) is a :class:`ThreadedServer`: the server
engineer's ``Server`` + FastAPI app under uvicorn with the server's own TLS files. Faults are injected by real means: :class:`FaultyApp` wraps the real app as an ASGI
layer that answers 500 *before* the app runs (nothing stored) or *after* it ran (stored, but the
client sees 500); ``kill()`` stops uvicorn abruptly (``force_exit``) and ``restart()`` brings up a
new server process state (new ``Server`` over the same data directory) on a new port.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

import uvicorn

from sync.server.app import create_app
from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain.service import Server
from sync.server.runner import attach_log_file, free_port
from sync.server.tables import records as records_table

PASSWORD = "pw-Xixi-2026!"
COUNTY_CODE = "330106"
TOWNSHIPS = {"330106001": "西溪街道总工会", "330106002": "北山街道总工会"}
_names = itertools.count(1)


class FaultyApp:
    """ASGI wrapper: pops a fault for each ``POST /v1/batches`` from ``faults`` (if any)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.faults: deque[str] = deque()
        self.calls = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        fault = None
        if scope["type"] == "http" and scope.get("path") == "/v1/batches" and self.faults:
            fault = self.faults.popleft()
        if fault == "500_before":
            await _answer_500(send)
            return
        if fault == "500_after":

            async def swallow(message: dict[str, Any]) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _answer_500(send)
            return
        await self.app(scope, receive, send)


async def _answer_500(send: Any) -> None:
    body = b'{"error":"internal_error","message":"injected"}'
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ThreadedServer:
    """A real server in a background thread of this process: its ``Server`` and the real app
    (wrapped in :class:`FaultyApp`, faults popped from ``faults``) under uvicorn with the
    server's own TLS files. ``stop()`` is abrupt (open connections dropped, new ones refused);
    ``start()`` again serves on ``port`` (a subclass may pick a new one)."""

    def __init__(self, data_path: Path, *, log_file: bool = False) -> None:
        self.data_path = data_path
        self.server = Server(load_data_dir(data_path))
        self.log_file = log_file
        self.faults: deque[str] = deque()
        self._uv: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = free_port()
        self.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.log_file and not self.server.log.handlers:
            attach_log_file(self.server)
        app = FaultyApp(create_app(self.server))
        app.faults = self.faults
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            ssl_certfile=str(self.server.data.cert_path),
            ssl_keyfile=str(self.server.data.key_path),
            log_level="critical",
            access_log=False,
            lifespan="off",
        )
        self._uv = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._uv.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)

    def _run(self) -> None:
        assert self._uv is not None
        with contextlib.suppress(Exception):
            asyncio.run(self._uv.serve())

    def stop(self) -> None:
        """Stop abruptly: open connections are dropped, in-flight requests cut."""
        if self._uv is not None and self._thread is not None:
            self._uv.should_exit = True
            self._uv.force_exit = True
            self._thread.join(timeout=10)
        self._uv = None

    def close(self) -> None:
        self.stop()
        for handler in list(self.server.log.handlers):
            self.server.log.removeHandler(handler)
            handler.close()
        self.server.store.close()

    def record_keys(self) -> list[tuple[str, int]]:
        """(record_uuid, version) of every record row stored, duplicates kept."""
        from sqlalchemy import select

        with self.server.store.read() as conn:
            rows = conn.execute(select(records_table.c.record_uuid, records_table.c.version)).all()
        return [(r[0], int(r[1])) for r in rows]

    def log_text(self) -> str:
        path = self.data_path / "logs" / "server.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""


class County(ThreadedServer):
    """The county with both townships; ``kill()`` / ``restart()`` (a new process state over the
    same data directory, on a new port)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        data_path = root / "county"
        init_data_dir(data_path, level="county", name="西湖区总工会", org_unit_code=COUNTY_CODE)
        super().__init__(data_path)
        for code, name in TOWNSHIPS.items():
            self.server.store.add_org_unit(code, name, COUNTY_CODE, "township")

    def start(self) -> None:
        self.port = free_port()
        super().start()

    def kill(self) -> None:
        self.stop()

    def restart(self) -> None:
        """A new server state over the same data directory (as after a process restart)."""
        self.kill()
        self.server.store.close()
        self.server = Server(load_data_dir(self.data_path))
        self.start()

    def enroll_code(self, org_unit: str) -> str:
        return self.server.make_enroll_code(org_unit)

    def record_rows_of(self, org_unit: str) -> list[Any]:
        return [r for r in self.server.store.record_rows() if r.org_unit == org_unit]


def create_township(root: Path, code: str) -> Any:
    from desktop.store import Workspace

    ws, _ = Workspace.create(
        root / f"ws-{code}",
        org_unit_code=code,
        org_unit_name=TOWNSHIPS[code],
        admin_user="admin",
        admin_password=PASSWORD,
    )
    return ws


def union_data(code: str, **over: Any) -> dict[str, Any]:
    """A valid grassroots-union record of township ``code``."""
    n = next(_names)
    data = {
        "full_name": f"测试公司{n}工会委员会",
        "union_type": "independent",
        "status": "active",
        "founded_date": "2020-01-02",
        "employer_name": f"测试公司{n}",
        "employer_nature": "enterprise_domestic",
        "division_code": code,
        "employees": 10 + n % 50,
        "members": 8,
    }
    data.update(over)
    return data


class HandleView:
    """The same helpers over the server engineer's ``CountyHandle`` (tests/sync/conftest.py)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.server = handle.server
        self.url = handle.url
        for code, name in TOWNSHIPS.items():
            if self.server.store.org_unit(code) is None:
                self.server.store.add_org_unit(code, name, COUNTY_CODE, "township")

    def enroll_code(self, org_unit: str) -> str:
        return self.handle.make_code(org_unit)

    record_keys = County.record_keys
    record_rows_of = County.record_rows_of
