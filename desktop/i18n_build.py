"""Compile the Qt translation sources (resources/i18n/*.ts) to .qm files.

Run by ``./dev.sh setup`` and the bundle build; only recompiles what changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from desktop.resources import resource_path


def lrelease_command() -> list[str]:
    """The pyside6-lrelease tool from the virtualenv (or PATH)."""
    here = Path(sys.executable).parent / "pyside6-lrelease"
    if here.exists():
        return [str(here)]
    found = shutil.which("pyside6-lrelease")
    if not found:
        raise SystemExit("pyside6-lrelease not found: is PySide6 installed?")
    return [found]


def build_translations(force: bool = False) -> list[Path]:
    """Compile every stale .ts file; return the .qm files written."""
    written: list[Path] = []
    for ts in sorted(resource_path("i18n").glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if force or not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run(
                [*lrelease_command(), "-silent", str(ts), "-qm", str(qm)],
                check=True,
            )
            written.append(qm)
    return written


if __name__ == "__main__":
    build_translations(force="--force" in sys.argv)
