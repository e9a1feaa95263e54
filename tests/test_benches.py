"""Every bench script runs with ``--smoke`` (tiny sizes, a few seconds), so a bench that breaks
fails the build instead of rotting until someone next wants its figures.

The benches are found by name (``bench/bench_*.py``): a new bench is run here without being
listed. Each runs as ``python -m bench.NAME --smoke`` in its own process, as a person runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHES = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))


def test_the_benches_are_found() -> None:
    assert {"bench_sync", "bench_relay", "bench_validate"} <= set(BENCHES)


@pytest.mark.parametrize("name", BENCHES)
def test_bench_runs_with_smoke(name: str) -> None:
    # the system temp dir, not pytest's: as root that is 0700 and bench_relay's PostgreSQL
    # cluster runs as the postgres user; every bench removes what it made there
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, (
        f"bench.{name} --smoke exited {proc.returncode}\n"
        f"--- stderr ---\n{proc.stderr[-6000:]}\n--- stdout ---\n{proc.stdout[-2000:]}"
    )
    assert proc.stdout.strip(), f"bench.{name} --smoke printed no figures"


def test_a_kept_province_runs_again() -> None:
    """``bench_province_scale --keep`` reuses its cluster and full province: a restarted
    cluster keeps its port (the kept ``config.json`` names it), and one kept before the port
    was remembered comes up on a new port that the kept ``config.json`` is told."""
    import json
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="uniondesk-test-keep-", dir="/tmp"))
    tmp.chmod(0o755)  # the cluster runs as the postgres user: it must reach its folder
    kept = tmp / "uniondesk-bench-scale-3000"
    env = {**os.environ, "TMPDIR": str(tmp)}

    def run() -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.bench_province_scale", "--smoke", "--keep"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-6000:]
        assert "same cells: True" in proc.stdout
        return str(json.loads((kept / "province-full" / "config.json").read_text())["db_url"])

    try:
        first = run()
        assert run() == first  # the same cluster, on its port
        assert json.loads((kept / "state.json").read_text())["runs"] == 2
        (kept / "pg" / "port").unlink()  # as a cluster kept by the bench before
        third = run()
        assert third != first and (kept / "pg" / "port").read_text() in third
        assert json.loads((kept / "state.json").read_text())["runs"] == 3
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
