"""How fast the desktop bundle starts: time to the first window (closed at once) and to
``--version``, against the same program run from the source checkout in the same run.

    .venv/bin/python -m bench.bench_startup [--bundle dist/uniondesk] [--runs 5] [--smoke]

Builds the bundle into bench-output/ first when no ``--bundle`` is given. ``--smoke`` never
builds: it times an already built bundle if there is one, else the from-source start only. Target: the bundle's
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


def existing_bundle() -> Path | None:
    """A bundle built earlier (by this bench or ``pyinstaller build.spec``), if there is one."""
    for folder in (
        ROOT / "bench-output" / "bundle" / "dist" / "uniondesk",
        ROOT / "dist" / "uniondesk",
    ):
        if (folder / ("uniondesk.exe" if sys.platform == "win32" else "uniondesk")).exists():
            return folder
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds: one run each; never builds (an existing bundle or the source only)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
        bundle = args.bundle or existing_bundle()
    else:
        bundle = args.bundle or build_bundle(ROOT / "bench-output" / "bundle")
    if bundle is None:
        print("smoke: no bundle built yet (building one takes minutes); from-source start only")
    exe = bundle / ("uniondesk.exe" if sys.platform == "win32" else "uniondesk") if bundle else None
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": home,
            "XDG_DATA_HOME": str(Path(home) / "data"),
        }
        empty = str(Path(home) / "no-workspace-yet")
        window = ["gui", "--workspace", empty, "--quit-after", "0"]
        rows = {
            "source: --version": timed(
                [sys.executable, "-m", "desktop", "--version"], args.runs, env
            ),
            "source: first window": timed(
                [sys.executable, "-m", "desktop", *window], args.runs, env
            ),
        }
        if exe is not None:
            rows["bundle: --version"] = timed([str(exe), "--version"], args.runs, env)
            rows["bundle: first window"] = timed([str(exe), *window], args.runs, env)
    for name, times in rows.items():
        print(f"{name:24s} median {statistics.median(times):6.2f} s   max {max(times):6.2f} s")
    if bundle is None:
        return
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"bundle: {bundle} ({size / 2**20:.1f} MiB)")
    ratio = statistics.median(rows["bundle: first window"]) / statistics.median(
        rows["source: first window"]
    )
    print(f"bundle / source first window: {ratio:.2f}   (target: bundle first window < 3 s)")


if __name__ == "__main__":
    main()
