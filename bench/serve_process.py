"""A ``uniondesk-server serve`` process for the benches (a county or a province in its own
interpreter, as in real life), started on a free loopback port and waited for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent


def start_serve(data: Path, what: str) -> tuple[subprocess.Popen[bytes], str]:
    """``(process, https url)`` of a server on ``data`` once ``/v1/info`` answers; its stderr
    goes to ``<data>-serve.log`` (a file, so a chatty server never blocks on a pipe), whose
    end is shown when it does not start (``what``: "county", "province")."""
    from sync.server.runner import free_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    log = data.parent / f"{data.name}-serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sync.server",
                "serve",
                "--data",
                str(data),
                "--port",
                str(port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )
    url = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url + "/v1/info", verify=str(data / "tls" / "ca.pem"), timeout=1)
            return proc, url
        except requests.RequestException:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                proc.wait()
                err = log.read_text(errors="replace")[-2000:]
                raise SystemExit(f"the {what} server did not start:\n{err}") from None
            time.sleep(0.1)
