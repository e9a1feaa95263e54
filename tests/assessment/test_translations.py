"""Every English source string of the assessment screens has a Chinese translation."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["desktop/ui/pages/assessments.py"] + sorted(
    p.relative_to(ROOT).as_posix() for p in (ROOT / "desktop" / "ui").glob("assessment_*.py")
)
TS = ROOT / "resources" / "i18n" / "assessments_zh_CN.ts"


def messages(ts: Path) -> dict[tuple[str, str], str | None]:
    out = {}
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name")
        for m in ctx.iter("message"):
            tr = m.find("translation")
            done = tr is not None and tr.get("type") is None and (tr.text or "").strip()
            out[(name, m.findtext("source"))] = tr.text if done else None
    return out


def test_every_string_in_the_code_is_translated(tmp_path: Path) -> None:
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    tool = str(lupdate) if lupdate.exists() else shutil.which("pyside6-lupdate")
    if tool is None:
        pytest.fail("pyside6-lupdate is missing (it comes with PySide6)")
    fresh = tmp_path / "fresh.ts"
    subprocess.run([tool, *SOURCES, "-ts", str(fresh)], cwd=ROOT, check=True, capture_output=True)
    in_code = set(messages(fresh))
    translated = {k for k, v in messages(TS).items() if v}
    assert in_code - translated == set()
