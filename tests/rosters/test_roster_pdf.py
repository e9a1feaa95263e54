"""The member roster PDF (会员花名册): content read back with pypdf, masking, the CLI target."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli import main
from desktop.reports.roster_pdf import RosterError, write_roster
from desktop.store import Workspace
from tests.rosters.conftest import ADMIN_PW, resident_id


def add_members(ws: Workspace, union: str, n: int) -> None:
    rows = []
    for i in range(n):
        rows.append(
            {
                "union": union,
                "name": f"成员{i:03d}",
                "id_number": resident_id(i * 2 + 1, birth=f"19{80 + i % 15}0101"),
                "mobile": f"139{i:08d}",
                "employer": "杭州某某科技有限公司",
                "join_date": f"2020-01-{1 + i % 28:02d}",
                "migrant_worker": i % 3 == 0,
                "education": "bachelor",
            }
        )
    result = ws.records.save_many("member", rows)
    assert not result.failed


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_roster_lists_members_masked_by_default(
    tmp_path: Path, ws: Workspace, union: str, union2: str, artefact_dir: Path
) -> None:
    add_members(ws, union, 60)
    ws.records.save(
        "member",
        {
            "union": union2,
            "name": "别的工会",
            "id_number": resident_id(900),
            "join_date": "2020-01-01",
        },
    )
    path = write_roster(ws, union, tmp_path / "roster.pdf")
    reader = PdfReader(str(path))
    assert len(reader.pages) >= 2  # 60 members split across pages
    text = pdf_text(path)
    assert "杭州某某科技有限公司工会会员花名册" in text
    assert "成员000" in text and "成员059" in text and "别的工会" not in text
    assert "第1页共" in "".join(text.split())
    assert "会员人数" in text and "60" in text
    assert "13900000007" not in text and resident_id(1, birth="19800101") not in text
    assert "已部分隐藏" in text
    # the birth date would give away the ID number's hidden digits: hidden with it
    flat = "".join(text.split())
    assert "1980-01-01" not in flat and "1981-01-01" not in flat and "****-**-**" in flat
    shutil.copy(path, artefact_dir / "roster_masked.pdf")
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(path),
                str(artefact_dir / "roster_page"),
            ],
            check=True,
        )


def test_roster_unmasked_for_a_role_that_may_and_audited(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    add_members(ws, union, 3)
    before = len([e for e in ws.audit.entries(limit=500) if e["action"] == "record.unmask"])
    path = write_roster(ws, union, tmp_path / "full.pdf", unmask=True)
    text = pdf_text(path)
    assert resident_id(1, birth="19800101") in text and "13900000001" in text
    assert "1980-01-01" in text  # unmasked: the birth date is shown too
    after = len([e for e in ws.audit.entries(limit=500) if e["action"] == "record.unmask"])
    assert after == before + 3


def test_roster_of_an_empty_union_and_of_no_union(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    text = pdf_text(write_roster(ws, union, tmp_path / "empty.pdf"))
    assert "暂无会员" in text
    with pytest.raises(RosterError):
        write_roster(ws, "00000000-0000-4000-8000-000000000000", tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()


def test_print_roster_command(
    tmp_path: Path, ws: Workspace, union: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_members(ws, union, 5)
    folder = ws.path
    ws.close(backup=False)
    monkeypatch.setenv("UNIONDESK_PASSWORD", ADMIN_PW)
    out = tmp_path / "r.pdf"
    assert (
        main(["print", "roster", "--union", union, "-o", str(out), "--workspace", str(folder)]) == 0
    )
    assert "成员004" in pdf_text(out)
    again = Workspace.open(folder, user="admin", password=ADMIN_PW)  # the fixture closes it
    monkeypatch.setattr(ws, "close", again.close)
