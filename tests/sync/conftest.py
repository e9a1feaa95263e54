"""Real county servers for sync tests: HTTPS on a free 127.0.0.1 port, own CA, SQLite file.

Fixtures (stable; only additive changes):

- ``county_server`` (module scope): one server thread per test module.
- ``county_server_factory`` (function scope): ``factory(**config_overrides)`` starts another
  server thread, e.g. ``factory(max_batch_records=3)``; stopped after the test.
- ``server_process_factory`` (function scope): ``factory(data_dir=None, **overrides)`` returns a
  ``ServerProcess`` (``uniondesk-server serve`` in a subprocess) that a test can ``kill()`` and
  ``start()`` again on the same port and data.
- ``county`` (function scope): a ``tests.sync.client_support.County`` in this test's tmp_path.
- ``runner``: background tasks of the desktop run at once on the calling thread (UI tests).

Every handle (``CountyHandle``) has ``url``, ``data_dir``, ``ca_path``, ``make_code(org_unit,
name=None, ttl_hours=None, role="township") -> str``, ``log_text()``, ``revoke(device_id)``,
``stored_records() -> list[dict]`` (the records table, content parsed) and ``server`` (the
in-process ``sync.server.domain.service.Server`` for direct database access).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain.service import Server
from sync.server.runner import ServerThread, free_port

REPO = Path(__file__).resolve().parents[2]
COUNTY_CODE = "330106"
COUNTY_NAME = "西湖区总工会"
TOWNSHIP_CODE = "330106001"
TOWNSHIP_NAME = "西溪街道总工会"


def init_county(data_dir: Path, **overrides: Any) -> Path:
    """Create a county data directory; ``overrides`` change config.json values."""
    suite = overrides.pop("crypto_suite", "intl")
    data = init_data_dir(data_dir, level="county", name=COUNTY_NAME, org_unit_code=COUNTY_CODE,
                         crypto_suite=suite)  # fmt: skip
    for key, value in overrides.items():
        if not hasattr(data.config, key):
            raise AttributeError(f"no server config value {key}")
        setattr(data.config, key, value)
    data.save_config()
    return data_dir


@dataclass
class CountyHandle:
    url: str
    data_dir: Path
    ca_path: Path
    server: Server

    def make_code(
        self,
        org_unit: str = TOWNSHIP_CODE,
        name: str | None = None,
        ttl_hours: float | None = None,
        role: str = "township",
    ) -> str:
        """A fresh one-time enrollment code; adds the org unit (under the county) if new."""
        if self.server.store.org_unit(org_unit) is None:
            self.server.store.add_org_unit(
                org_unit, name or f"乡镇 {org_unit}", COUNTY_CODE, "township"
            )
        return self.server.make_enroll_code(org_unit, role=role, ttl_hours=ttl_hours)

    def log_text(self) -> str:
        path = self.data_dir / "logs" / "server.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def revoke(self, device_id: str) -> None:
        assert self.server.store.revoke_device(device_id)

    def stored_records(self) -> list[dict[str, Any]]:
        return [
            {
                **self.server.sealer.open_content(r.content),
                "_device_id": r.device_id,
                "_batch_id": r.batch_id,
            }
            for r in self.server.store.record_rows()
        ]


@pytest.fixture(scope="module")
def suite() -> str:
    """The crypto suite of the county servers a test module starts (``county_server``,
    ``county_server_factory``): intl, unless the module overrides this fixture, e.g. with
    ``params=SUITES`` to run each of its tests on both suites."""
    return "intl"


@pytest.fixture(scope="module")
def county_server(tmp_path_factory: pytest.TempPathFactory, suite: str) -> Iterator[CountyHandle]:
    data_dir = init_county(tmp_path_factory.mktemp("county") / "data", crypto_suite=suite)
    server = Server(load_data_dir(data_dir))
    thread = ServerThread(server).start()
    try:
        yield CountyHandle(thread.url, data_dir, data_dir / "tls" / "ca.pem", server)
    finally:
        thread.stop()
        server.store.close()


@pytest.fixture
def county_server_factory(tmp_path: Path, suite: str) -> Iterator[Callable[..., CountyHandle]]:
    started: list[tuple[ServerThread, Server]] = []

    def factory(**overrides: Any) -> CountyHandle:
        overrides.setdefault("crypto_suite", suite)
        data_dir = init_county(tmp_path / f"county{len(started)}", **overrides)
        server = Server(load_data_dir(data_dir))
        thread = ServerThread(server).start()
        started.append((thread, server))
        return CountyHandle(thread.url, data_dir, data_dir / "tls" / "ca.pem", server)

    yield factory
    for thread, server in started:
        thread.stop()
        server.store.close()


@dataclass
class ServerProcess:
    """``uniondesk-server serve`` as a child process, killable and restartable."""

    data_dir: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    _handle: CountyHandle | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_path(self) -> Path:
        return self.data_dir / "tls" / "ca.pem"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        cmd = [sys.executable, "-m", "sync.server", "serve", "--data", str(self.data_dir)]
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server process exited: {err}")
            try:
                requests.get(f"{self.url}/v1/info", verify=str(self.ca_path), timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("server process did not come up")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown (what a crash looks like)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def handle(self) -> CountyHandle:
        """Direct access to the same data directory (database, codes) from the test process."""
        if self._handle is None:
            server = Server(load_data_dir(self.data_dir))
            self._handle = CountyHandle(self.url, self.data_dir, self.ca_path, server)
        return self._handle

    def make_code(self, org_unit: str = TOWNSHIP_CODE, **kw: Any) -> str:
        return self.handle().make_code(org_unit, **kw)


@pytest.fixture
def server_process_factory(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    procs: list[ServerProcess] = []

    def factory(data_dir: Path | None = None, **overrides: Any) -> ServerProcess:
        if data_dir is None:
            data_dir = init_county(tmp_path / f"county_proc{len(procs)}", **overrides)
        proc = ServerProcess(data_dir, free_port()).start()
        procs.append(proc)
        return proc

    yield factory
    for proc in procs:
        proc.kill()
        if proc._handle is not None:
            proc._handle.server.store.close()


# --------------------------------------------------------------------------- a bare device


class RawDevice:
    """A minimal protocol client (no desktop store, no retries) for server tests.

    ``RawDevice(handle).enroll()`` enrolls over HTTPS with a fresh code; then ``seal(records)``
    returns envelope bytes, ``post_batch(body)`` uploads them, ``signed(method, path, body)``
    makes a signed request, ``record(...)`` builds a valid ``union`` record of its org unit.
    """

    def __init__(self, handle: CountyHandle, org_unit: str = TOWNSHIP_CODE) -> None:
        from sync import crypto

        self.handle = handle
        self.org_unit = org_unit
        self.key = crypto.new_signing_key(handle.server.data.signing_suite)
        self.session = requests.Session()
        self.session.verify = str(handle.ca_path)
        self.session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides session.verify
        self.device_id = ""
        self.seq = 0
        self.enrollment: Any = None

    def enroll(self, code: str | None = None) -> Any:
        from sync import crypto
        from sync.protocol import EnrollRequest, EnrollResponse

        code = code or self.handle.make_code(self.org_unit)
        req = EnrollRequest(code=code, device_public_key=crypto.public_bytes(self.key))
        r = self.session.post(f"{self.handle.url}/v1/enroll", data=req.to_json(), timeout=10)
        assert r.status_code == 200, r.text
        self.enrollment = EnrollResponse.from_json(r.content)
        self.device_id = self.enrollment.device_id
        return self.enrollment

    def record(
        self, *, org_unit: str | None = None, version: int = 1, uuid: str | None = None, **data: Any
    ) -> dict[str, Any]:
        import uuid as uuid_mod

        values = {
            "full_name": "杭州示例科技有限公司工会",
            "union_type": "independent",
            "status": "active",
            "founded_date": "2020-01-02",
            "employer_name": "杭州示例科技有限公司",
            "employer_nature": "enterprise_domestic",
            "division_code": "330106",
            "employees": 10,
            "members": 8,
            **data,
        }
        return {
            "uuid": uuid or str(uuid_mod.uuid4()),
            "form_id": "union",
            "form_version": 1,
            "version": version,
            "org_unit": org_unit or self.org_unit,
            "status": "ready",
            "data": values,
            "created_by": "clerk",
            "created_at": "2026-11-23T00:00:00Z",
            "updated_by": "clerk",
            "updated_at": "2026-11-23T00:00:00Z",
        }

    def seal(
        self, records: list[dict[str, Any]], seq: int | None = None, batch_id: str | None = None
    ) -> bytes:
        import uuid as uuid_mod

        from sync import crypto

        if seq is None:
            self.seq += 1
            seq = self.seq
        envelope = crypto.seal_batch(
            device_key=self.key,
            device_id=self.device_id,
            batch_id=batch_id or str(uuid_mod.uuid4()),
            device_seq=seq,
            records=records,
            audit_head="0" * 64,
            recipient_public=self.enrollment.server.hpke_public_key,
        )
        return envelope.to_json()

    def post_batch(self, body: bytes) -> requests.Response:
        return self.session.post(
            f"{self.handle.url}/v1/batches",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )

    def nonce(self) -> str:
        r = self.session.post(f"{self.handle.url}/v1/nonce", timeout=10)
        assert r.status_code == 200, r.text
        return str(r.json()["nonce"])

    def signed(
        self, method: str, path: str, body: bytes = b"", nonce: str | None = None
    ) -> requests.Response:
        from sync import crypto

        req = requests.Request(method, f"{self.handle.url}{path}", data=body or None)
        prepared = self.session.prepare_request(req)
        headers = crypto.sign_request(
            self.key, self.device_id, method, prepared.path_url, nonce or self.nonce(), body
        )
        prepared.headers.update(headers)
        return self.session.send(prepared, timeout=10)


@pytest.fixture
def raw_device() -> Callable[..., RawDevice]:
    """``raw_device(handle, org_unit=TOWNSHIP_CODE, enroll=True) -> RawDevice``."""

    def make(handle: CountyHandle, org_unit: str = TOWNSHIP_CODE, enroll: bool = True) -> RawDevice:
        device = RawDevice(handle, org_unit)
        if enroll:
            device.enroll()
        return device

    return make


@pytest.fixture
def county(tmp_path: Path) -> Iterator[Any]:
    """A county server thread for township-client tests (see ``client_support.County``)."""
    from tests.sync.client_support import County

    c = County(tmp_path)
    yield c
    c.close()


@pytest.fixture
def runner() -> Iterator[None]:
    """The desktop's task helper runs jobs immediately, so UI tests do not depend on timing."""
    from desktop.ui.tasks import ImmediateTaskRunner, set_default_runner

    set_default_runner(ImmediateTaskRunner())
    yield
    set_default_runner(None)
