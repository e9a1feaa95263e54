"""Running a server: logging, the uvicorn config over HTTPS, startup checks, and a thread runner.

``serve_forever`` is what ``uniondesk-server serve`` uses; ``ServerThread`` runs the same app in a
background thread of the current process (tests, benchmarks).
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from sync.server.app import create_app
from sync.server.config import ServerSetupError, load_data_dir
from sync.server.domain.service import Server
from sync.server.migrate import SchemaMismatch, mismatch_message
from sync.server.permissions import PRIVATE_UMASK, exposure_message
from sync.server.store import Store

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def attach_log_file(server: Server) -> logging.Handler:
    """Write the server's log lines to DATA/logs/server.log (and return the handler)."""
    if not server.data.log_path.exists():  # created private: logs name devices and batches
        os.close(os.open(server.data.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    handler = logging.handlers.RotatingFileHandler(
        server.data.log_path, maxBytes=20 * 1024 * 1024, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    server.log.addHandler(handler)
    server.log.setLevel(logging.INFO)
    return handler


def check_port_free(host: str, port: int) -> None:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    # like uvicorn: connections of a previous run in TIME_WAIT do not make the port "taken"
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServerSetupError(
                f"port {port} on {host} is already in use; stop the other program or use --port"
            ) from exc
        raise ServerSetupError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    finally:
        sock.close()


def uvicorn_config(server: Server, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(server),
        host=host,
        port=port,
        ssl_certfile=str(server.data.cert_path),
        ssl_keyfile=str(server.data.key_path),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
    )


def open_store(url: str, *, require_current: bool = True, where: str = "DIR") -> Store:
    """Open (and create the tables of) a database, with a clear error when it cannot or when its
    schema revision is not this program's (naming ``uniondesk-server upgrade --data where``)."""
    try:
        return Store(url, require_current=require_current)
    except SchemaMismatch as exc:
        raise ServerSetupError(mismatch_message(exc.state, where)) from None
    except SQLAlchemyError as exc:
        where = url.split("@")[-1]  # never print a password
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ServerSetupError(f"cannot open the database {where}: {reason}") from exc


def open_server(data: Path, expect_level: str | None = None) -> Server:
    loaded = load_data_dir(data, expect_level=expect_level)
    return Server(loaded, open_store(loaded.db_url, where=str(data)))


def relay_schedule(server: Server, relay_every: float | None) -> float:
    """Seconds between scheduled relay runs for ``serve`` (0 = none): the default is on for a
    county (runs wait until ``relay-enroll`` was done); a province has nothing to relay."""
    from sync.server.domain.relay_schedule import DEFAULT_EVERY

    if relay_every is not None and relay_every < 0:
        raise ServerSetupError("--relay-every takes seconds >= 0 (0 = off)")
    if server.config.level != "county":
        if relay_every:
            raise ServerSetupError("only a county server relays to a province (--relay-every)")
        return 0.0
    return DEFAULT_EVERY if relay_every is None else float(relay_every)


def serve_forever(
    data: Path,
    host: str,
    port: int,
    expect_level: str | None = None,
    relay_every: float | None = None,
) -> None:
    """Run the server until SIGINT / SIGTERM; with the scheduled relay of a county beside it."""
    from sync.server.domain.relay_schedule import RelayScheduler

    os.umask(PRIVATE_UMASK)  # what serve creates (logs, rotated logs, SQLite files) is private
    problem = exposure_message(data) if data.is_dir() else None
    if problem:
        raise ServerSetupError(problem)
    server = open_server(data, expect_level)
    every = relay_schedule(server, relay_every)
    check_port_free(host, port)
    attach_log_file(server)
    server.log.info(
        "serving %s server %r on https://%s:%d", server.config.level, server.config.name, host, port
    )
    scheduler = RelayScheduler(server, every).start() if every else None
    done = threading.Event()

    def close() -> None:
        if done.is_set():
            return
        done.set()
        if scheduler is not None:
            scheduler.stop()
        server.log.info("stopped")
        server.store.close()

    try:
        _Uvicorn(uvicorn_config(server, host, port), on_shutdown=close).run()
    finally:
        close()


class _Uvicorn(uvicorn.Server):
    """uvicorn that runs ``on_shutdown`` after its graceful shutdown: on SIGTERM / SIGINT it
    re-raises the signal afterwards, which ends the process before any ``finally``."""

    def __init__(self, config: uvicorn.Config, on_shutdown: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_shutdown = on_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().shutdown(sockets)
        finally:
            self._on_shutdown()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServerThread:
    """A real HTTPS server in a background thread: ``start()``, ``url``, ``stop()``."""

    def __init__(self, server: Server, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.server = server
        self.host = host
        self.port = port or free_port(host)
        self._uvicorn: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._handler: logging.Handler | None = None

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> ServerThread:
        check_port_free(self.host, self.port)
        self._handler = attach_log_file(self.server)
        self._uvicorn = uvicorn.Server(uvicorn_config(self.server, self.host, self.port))
        self._thread = threading.Thread(target=self._uvicorn.run, daemon=True, name="ud-server")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on port {self.port} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._uvicorn is not None and self._thread is not None:
            self._uvicorn.should_exit = True
            self._thread.join(timeout=2)
            if self._thread.is_alive():  # idle keep-alive connections: stop waiting for them
                self._uvicorn.force_exit = True
                self._thread.join(timeout=10)
        if self._handler is not None:
            self.server.log.removeHandler(self._handler)
            self._handler.close()
            self._handler = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
