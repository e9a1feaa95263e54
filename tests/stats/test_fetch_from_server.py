"""``uniondesk report stats --from-server`` (issue 18): a county reviewer's desktop fetches the
county's statistics tables by the signed ``GET /v1/stats`` from a real HTTPS county on
127.0.0.1 (the fixed data set carried township → county by server_pipeline.py, on SQLite) and
writes them with the same writer: the fetched .xlsx, read back with openpyxl, holds exactly what
the county's own ``uniondesk-server report stats`` writes. A workspace that is not enrolled, a
user without the review permission, a township's (not a reviewer's) device and a county out of
reach get a clear message in the language of ``--lang``, no traceback and no file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest

from desktop import link
from desktop.cli import main
from desktop.link import state
from desktop.store import KdfParams, Workspace
from sync.server.cli import main as server_main
from sync.server.runner import free_port
from tests.stats.conftest import AS_OF, PERIOD
from tests.stats.server_pipeline import BEISHAN, XIXI, StatsCounty, carry
from tests.sync.client_support import COUNTY_CODE
from tests.sync.client_support import PASSWORD as TOWNSHIP_PW
from tests.sync.relay_support import Province

PASSWORD = "pw-Fetch-2026!"
LIGHT = KdfParams(memory_kib=8192, iterations=1, lanes=1)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The county with the data set, a reviewer workspace (users shen: reviewer, li: clerk)
    enrolled as a reviewer device, and the county's own report as .xlsx."""
    root = tmp_path_factory.mktemp("fetch")
    province = Province(root)
    server = StatsCounty(root)
    try:
        carry(root, server, province)
        ws, _ = Workspace.create(root / "reviewer-ws", org_unit_code=COUNTY_CODE,
                                 org_unit_name="西湖区总工会", admin_user="admin",
                                 admin_password=PASSWORD, kdf=LIGHT)  # fmt: skip
        ws.users.add("shen", PASSWORD, "reviewer")
        ws.users.add("li", PASSWORD, "clerk")
        link.enroll(ws, server.url, server.server.make_enroll_code(COUNTY_CODE, role="reviewer"))
        ws.close(backup=False)
        own = root / "county-own.xlsx"
        argv = ["report", "stats", "--data", str(server.data_path), "--as-of", AS_OF]
        assert server_main([*argv, "--period", str(PERIOD), "-o", str(own)]) == 0
        yield {"server": server, "root": root, "reviewer_ws": root / "reviewer-ws", "own": own}
    finally:
        server.close()
        province.close()


def _report(ws: Path, user: str, dest: Path, *extra: str) -> int:
    argv = ["report", "stats", "--from-server", "--as-of", AS_OF, "--period", str(PERIOD)]
    return main([*argv, *extra, "-o", str(dest), "--workspace", str(ws), "--user", user])


def _values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {s.title: list(s.iter_rows(values_only=True)) for s in wb.worksheets}


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNIONDESK_PASSWORD", PASSWORD)


def test_the_fetched_xlsx_is_the_county_own_report(county: dict[str, Any], tmp_path: Path) -> None:
    dest = tmp_path / "县级统计报表.xlsx"
    assert _report(county["reviewer_ws"], "shen", dest) == 0
    fetched, own = _values(dest), _values(county["own"])
    assert list(fetched) == [
        "基层工会组织情况",
        "会员情况",
        "会员实名制数据质量",
        "会员评家",
        "经费审查",
    ]
    assert fetched == own  # every cell of every sheet
    # the county total of 会员情况: employees, female employees, members, female members
    sheet = openpyxl.load_workbook(dest)["会员情况"]
    assert str(sheet.cell(7, 1).value).strip() == "西湖区总工会 合计"
    assert [sheet.cell(7, c).value for c in range(2, 6)] == [43, 19, 7, 3]


def test_one_unit_and_a_pdf(county: dict[str, Any], tmp_path: Path) -> None:
    dest = tmp_path / "北山.xlsx"
    assert _report(county["reviewer_ws"], "shen", dest, "--unit", BEISHAN) == 0
    sheet = openpyxl.load_workbook(dest)["会员情况"]
    assert str(sheet.cell(5, 1).value).strip() == "北山街道总工会 合计"
    assert [sheet.cell(5, c).value for c in range(2, 6)] == [10, 4, 2, 1]
    pdf = tmp_path / "县级.pdf"
    assert _report(county["reviewer_ws"], "shen", pdf, "--table", "membership") == 0
    text = pypdf.PdfReader(pdf).pages[0].extract_text()
    assert "西湖区总工会 会员情况" in text and f"截至 {AS_OF}" in text


def test_a_user_without_the_review_permission_gets_nothing(
    county: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _report(county["reviewer_ws"], "li", tmp_path / "a.xlsx") == 2
    err = capsys.readouterr().err
    assert "无权从县级服务器获取统计报表" in err and "Traceback" not in err
    assert _report(county["reviewer_ws"], "li", tmp_path / "a.xlsx", "--lang", "en") == 2
    assert "not allowed to fetch the county's tables" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_workspace_not_enrolled_gets_nothing(
    county: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, _ = Workspace.create(tmp_path / "ws", org_unit_code=COUNTY_CODE,
                             org_unit_name="西湖区总工会", admin_password=PASSWORD,
                             kdf=LIGHT)  # fmt: skip
    ws.close(backup=False)
    out = tmp_path / "out"
    out.mkdir()
    assert _report(tmp_path / "ws", "admin", out / "a.xlsx", "--lang", "en") == 2
    err = capsys.readouterr().err
    assert "not enrolled with a county server as a reviewer device" in err
    assert _report(tmp_path / "ws", "admin", out / "a.xlsx") == 2
    assert "尚未在县级服务器登记为审核设备" in capsys.readouterr().err
    assert not list(out.iterdir())


def test_a_township_device_is_refused_by_the_county(
    county: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """西溪's admin may review, but its device is a township's: the county says no."""
    monkeypatch.setenv("UNIONDESK_PASSWORD", TOWNSHIP_PW)
    assert _report(county["root"] / f"ws-{XIXI}", "admin", tmp_path / "a.xlsx") == 2
    err = capsys.readouterr().err
    assert "无权从县级服务器获取统计报表" in err and "reviewer devices" in err
    assert not (tmp_path / "a.xlsx").exists()


def test_a_county_out_of_reach_gives_a_clear_message_and_no_file(
    county: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    copy = tmp_path / "ws-copy"
    shutil.copytree(county["reviewer_ws"], copy)
    ws = Workspace.open(copy, user="admin", password=PASSWORD, kdf=LIGHT)
    e = state.load_enrollment(ws.settings)
    gone = f"https://127.0.0.1:{free_port()}"
    ws.settings.set(state.ENROLLMENT_KEY, {**e.to_json(), "server_url": gone})
    ws.close(backup=False)
    out = tmp_path / "out"
    out.mkdir()
    assert _report(copy, "shen", out / "a.xlsx", "--lang", "en") == 4
    err = capsys.readouterr().err
    assert f"the county server {gone} cannot be reached; nothing was written" in err
    assert "Traceback" not in err
    assert not list(out.iterdir())


def test_unit_without_from_server_is_refused(tmp_path: Path, capsys: Any) -> None:
    argv = ["report", "stats", "--as-of", AS_OF, "--unit", BEISHAN, "-o", str(tmp_path / "a.xlsx")]
    assert main(argv) == 2
    assert "--unit 只能与 --from-server 一起使用" in capsys.readouterr().err
