"""How fast the desktop bundle starts: time to the first window (closed at once) and to
``--version``, against the same program run from the source checkout in the same run.

    .venv/bin/python -m bench.bench_startup [--bundle dist/uniondesk] [--runs 5]

Builds the bundle into bench-output/ first when no ``--bundle`` is given. Target: the bundle's
first window in under 3 s on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_bundle(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "desktop.i18n_build"], cwd=ROOT, check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "work"),
            "build.spec",
        ],
        cwd=ROOT,
        check=True,
    )
    return out / "dist" / "uniondesk"


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bundle = args.bundle or build_bundle(ROOT / "bench-output" / "bundle")
    exe = bundle / ("uniondesk.exe" if sys.platform == "win32" else "uniondesk")
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file() and not f.is_symlink())
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": home,
            "XDG_DATA_HOME": str(Path(home) / "data"),
        }
        empty = str(Path(home) / "no-workspace-yet")
        window = ["gui", "--workspace", empty, "--quit-after", "0"]
        rows = [
            ("bundle: --version", timed([str(exe), "--version"], args.runs, env)),
            (
                "source: --version",
                timed([sys.executable, "-m", "desktop", "--version"], args.runs, env),
            ),
            ("bundle: first window", timed([str(exe), *window], args.runs, env)),
            (
                "source: first window",
                timed([sys.executable, "-m", "desktop", *window], args.runs, env),
            ),
        ]
    print(f"bundle: {bundle} ({size / 2**20:.1f} MiB)")
    for name, times in rows:
        print(f"{name:24s} median {statistics.median(times):6.2f} s   max {max(times):6.2f} s")
    ratio = statistics.median(rows[2][1]) / statistics.median(rows[3][1])
    print(f"bundle / source first window: {ratio:.2f}   (target: bundle first window < 3 s)")


if __name__ == "__main__":
    main()
