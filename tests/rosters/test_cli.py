"""``uniondesk import members`` / ``export`` / ``print roster`` on a real workspace folder."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from desktop.cli import main
from desktop.store import Workspace
from tests.rosters.conftest import ADMIN_PW, FAST_KDF, HEADERS, member_row, union_data, write_xlsx


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    ws, _ = Workspace.create(
        tmp_path / "ws", org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    union = ws.records.save("union", union_data("杭州某某科技有限公司工会")).uuid
    ws.close(backup=False)
    monkeypatch.setenv("UNIONDESK_PASSWORD", ADMIN_PW)
    return tmp_path / "ws", union


def count_members(path: Path) -> int:
    ws = Workspace.open(path, user="admin", password=ADMIN_PW)
    try:
        return ws.records.count("member")
    finally:
        ws.close(backup=False)


def test_import_members_headless_with_error_report(
    tmp_path: Path, folder: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, union = folder
    rows = [member_row(i) for i in range(6)]
    rows[2][2] = 1.10105199001011e17
    sheet = write_xlsx(tmp_path / "roster.xlsx", HEADERS, rows)
    code = main(["import", "members", str(sheet), "--union", union, "--workspace", str(path)])
    out = capsys.readouterr().out
    assert code == 4
    assert "共 6 行：5 行可导入，1 行有错误" in out
    assert "第 4 行：身份证号码（C列）：身份证号被 Excel 变成了数字" in out
    assert "导入结果：新增 5，" in out
    report = tmp_path / "roster_errors.xlsx"
    assert f"错误报告：{report}" in out
    assert "row " not in out and "imported" not in out  # no English mixed into Chinese
    rows_back = list(openpyxl.load_workbook(report)["导入错误"].iter_rows(values_only=True))
    assert rows_back[1][0] == 4
    assert count_members(path) == 5


def test_import_by_union_name_and_dry_run(
    tmp_path: Path, folder: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = folder
    sheet = write_xlsx(tmp_path / "r.xlsx", HEADERS, [member_row(1)])
    code = main(
        [
            "import",
            "members",
            str(sheet),
            "--union",
            "杭州某某科技有限公司工会",
            "--workspace",
            str(path),
            "--dry-run",
        ]
    )
    assert code == 0
    assert "共 1 行：1 行可导入" in capsys.readouterr().out
    assert count_members(path) == 0


def test_import_hand_mapping(tmp_path: Path, folder: tuple[Path, str]) -> None:
    path, union = folder
    sheet = write_xlsx(
        tmp_path / "odd.xlsx", ["会员名", "号", "入"], [["张三", member_row(3)[2], "2020-01-01"]]
    )
    args = ["import", "members", str(sheet), "--union", union, "--workspace", str(path)]
    assert main(args) == 1  # required columns not mapped: clear failure, nothing written
    assert count_members(path) == 0
    assert (
        main([*args, "--map", "会员名=name", "--map", "号=id_number", "--map", "入=join_date"]) == 0
    )
    assert count_members(path) == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"%PDF-1.4 not a sheet\x00\x00", "is not a spreadsheet"),
        (b"", "is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "Excel 97-2003"),
    ],
)
def test_malformed_files_fail_clearly_and_write_nothing(
    tmp_path: Path,
    folder: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    words: str,
) -> None:
    path, union = folder
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    code = main(
        ["import", "members", str(bad), "--union", union, "--workspace", str(path), "--lang", "en"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "bad.xlsx" in err and words in err
    assert count_members(path) == 0
    assert not (tmp_path / "bad_errors.xlsx").exists()


def test_unknown_union(
    tmp_path: Path, folder: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = folder
    sheet = write_xlsx(tmp_path / "r.xlsx", HEADERS, [member_row(1)])
    assert (
        main(["import", "members", str(sheet), "--union", "没有的工会", "--workspace", str(path)])
        == 1
    )
    assert "没有的工会" in capsys.readouterr().err


def test_export_members_and_unions(
    tmp_path: Path, folder: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, union = folder
    sheet = write_xlsx(tmp_path / "r.xlsx", HEADERS, [member_row(i) for i in range(3)])
    assert main(["import", "members", str(sheet), "--union", union, "--workspace", str(path)]) == 0
    out_csv = tmp_path / "m.csv"
    assert main(["export", "members", "-o", str(out_csv), "--workspace", str(path)]) == 0
    assert "3 members written" in capsys.readouterr().out
    text = out_csv.read_text(encoding="utf-8-sig")
    assert "会员00001" in text and member_row(1)[2] not in text  # masked by default
    out_full = tmp_path / "full.xlsx"
    assert (
        main(["export", "members", "-o", str(out_full), "--unmask", "--workspace", str(path)]) == 0
    )
    values = str(list(openpyxl.load_workbook(out_full).active.values))
    assert member_row(1)[2] in values
    out_u = tmp_path / "u.xlsx"
    assert main(["export", "unions", "-o", str(out_u), "--workspace", str(path)]) == 0
    assert openpyxl.load_workbook(out_u).active["A2"].value == "杭州某某科技有限公司工会"


def test_template_command(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["import", "template", "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out)["会员"]["A1"].value == "姓名"


def test_reimport_summary_adds_up_in_the_chosen_language(
    tmp_path: Path, folder: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, union = folder
    rows = [member_row(i) for i in range(1, 5)]
    sheet = write_xlsx(tmp_path / "r.xlsx", HEADERS, rows)
    args = ["import", "members", str(sheet), "--union", union, "--workspace", str(path)]
    assert main(args) == 0
    capsys.readouterr()
    rows[0][4] = "13999990001"
    write_xlsx(sheet, HEADERS, rows)
    assert main([*args, "--lang", "en"]) == 4  # the changed row is skipped (default: skip)
    out = capsys.readouterr().out
    assert "4 rows: 4 good, 0 with errors" in out
    assert "of the 4 good rows: 0 new, 3 unchanged, 1 changed, 0 conflicting" in out
    assert "row 2 changed: 手机号码" in out
    assert "imported: 0 new, 0 updated, 3 unchanged, 1 skipped, 0 refused" in out
    assert main([*args, "--on-duplicate", "update"]) == 0
    assert "导入结果：新增 0，更新 1，相同未写入 3，跳过 0，被拒绝 0" in capsys.readouterr().out
