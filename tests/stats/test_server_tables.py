"""The statistics tables at a county and a province (issue 18), from the fixed data set carried
township → county → province for real (server_pipeline.py), on SQLite and on PostgreSQL:
every cell equals the value worked out by hand — from the core, and from
``uniondesk-server report stats`` as .xlsx (openpyxl) and PDF (pypdf) — the county's report and
the province's rows for that county are equal, and no personal value is in any file.

Hand-worked, as of 2026-06-30 for 2026 (server rules: sync/server/README.md "Statistics
tables"). 西溪 sends what conftest.py builds except its two drafts (吴六, 王八: drafts stay on
the desktop): current members 赵一 (f), 钱二 (migrant courier), 李四, 郑七 (f, migrant rider) and
冯九 (转出 without an accepted transfer: still counted, as the province's aggregates do); 孙三
left in May, 周五 joins after the date. 北山: 陈一 (f) has 赵一's ID number, so neither is
unique in the county (at the township 陈一 is: uniqueness is within the reporting data), 林二
joined in the period as a ride-hailing driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest

from printing.stats_pdf import cell_text, row_label
from sync.server.cli import main as server_main
from sync.server.domain.stats_report import report
from tests.stats.conftest import AS_OF, NAMES, PERIOD, PERSONAL
from tests.stats.server_pipeline import (
    BEISHAN,
    BEISHAN_PERSONAL,
    BEISHAN_UNION,
    StatsCounty,
    carry,
    fresh_database,
)
from tests.sync.relay_support import Province
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)

COUNTY, PROVINCE = "330106", "330000"


def _row(text: str) -> list[str]:
    return text.split()


# one list per table: 西溪, 北山, then the county's total (columns in the definition's order)
XIXI = {
    "organisation": _row("3 2 1 0 1 1 1 2 1 0 1 1 1 1 1 1 1"),
    "membership": _row("33 15 5 2 2 2 1 1 0 0 15.2% 1 1 1 1"),
    "realname": _row("5 4 5 4 80.0% 1"),
    "assessment": _row("3 2 66.7% 1 0 1 1 1"),
    "funds_review": _row("3 1 33.3% 1 1 1 4,100.00 1"),
}
BEI = {
    "organisation": _row("1 1 0 0 1 0 0 1 0 0 0 0 0 0 0 0 0"),
    "membership": _row("10 4 2 1 0 1 0 0 1 0 20.0% 1 0 0 0"),
    "realname": _row("2 1 2 1 50.0% 1"),
    "assessment": _row("1 0 0.0% 0 0 0 0 0"),
    "funds_review": _row("1 0 0.0% 0 0 0 0.00 0"),
}
TOTAL = {
    "organisation": _row("4 3 1 0 2 1 1 3 1 0 1 1 1 1 1 1 1"),
    "membership": _row("43 19 7 3 2 3 1 1 1 0 16.3% 2 1 1 1"),
    "realname": _row("7 5 7 5 71.4% 2"),
    "assessment": _row("4 2 50.0% 1 0 1 1 1"),
    "funds_review": _row("4 1 25.0% 1 1 1 4,100.00 1"),
}
COUNTY_ROWS = ["西溪街道总工会", "北山街道总工会", "西湖区总工会 合计"]
PROVINCE_ROWS = ["西溪街道总工会", "北山街道总工会", "西湖区总工会 小计", "浙江省总工会 合计"]
EXPECTED = {t: [XIXI[t], BEI[t], TOTAL[t]] for t in XIXI}
# 北山's own township report: one union row and its total; 陈一 unique within the township
BEISHAN_TOWNSHIP = {**BEI, "realname": _row("2 2 2 2 100.0% 0")}
SHEETS = ["基层工会组织情况", "会员情况", "会员实名制数据质量", "会员评家", "经费审查"]


def _cells(rep: Any) -> dict[str, list[tuple[str, list[str]]]]:
    return {
        t.definition.id: [
            (row_label(r), [cell_text(c, r.values[c.id]) for c in t.definition.columns])
            for r in t.rows
        ]
        for t in rep.tables
    }


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp(f"stats-{request.param}")
    urls = ("", "")
    if request.param == "postgresql":
        urls = (fresh_database(request, "statscounty"), fresh_database(request, "statsprov"))
    province = Province(root, db_url=urls[1])
    county = StatsCounty(root, db_url=urls[0])
    try:
        assert county.server.store.engine.dialect.name == request.param
        assert province.server.store.engine.dialect.name == request.param
        townships = carry(root, county, province)
        yield {"county": county, "province": province, "townships": townships, "root": root}
    finally:
        county.close()
        province.close()


def test_every_cell_at_the_county_and_the_province(servers: dict[str, Any]) -> None:
    at_county = _cells(report(servers["county"].server.store, COUNTY, AS_OF, PERIOD))
    at_province = _cells(report(servers["province"].server.store, COUNTY, AS_OF, PERIOD))
    whole = _cells(report(servers["province"].server.store, PROVINCE, AS_OF, PERIOD))
    for table, want in EXPECTED.items():
        assert [label for label, _ in at_county[table]] == COUNTY_ROWS
        assert [values for _, values in at_county[table]] == want, table
        # the province's rows for the county are the county's report
        assert at_province[table] == at_county[table], table
        assert [label for label, _ in whole[table]] == PROVINCE_ROWS
        assert [values for _, values in whole[table]] == [*want, want[-1]], table


def test_every_cell_at_the_township(servers: dict[str, Any]) -> None:
    """北山's desktop report (rows per union) with the same definition and core."""
    got = _cells(servers["townships"][BEISHAN])
    for table, want in BEISHAN_TOWNSHIP.items():
        assert got[table] == [(BEISHAN_UNION, want), ("北山街道总工会 合计", want)], table


def _run_report(data: Path, dest: Path, *extra: str) -> None:
    argv = ["report", "stats", "--data", str(data), "--as-of", AS_OF, "--period", str(PERIOD)]
    assert server_main([*argv, *extra, "-o", str(dest)]) == 0


@pytest.fixture(scope="module")
def files(servers: dict[str, Any]) -> dict[str, Path]:
    out = servers["root"] / "out"
    out.mkdir()
    made = {}
    for level, data in (("county", servers["county"].data_path),
                        ("province", servers["province"].data_path)):  # fmt: skip
        for suffix in ("xlsx", "pdf"):
            made[f"{level}.{suffix}"] = dest = out / f"{level}-统计报表.{suffix}"
            _run_report(data, dest)
    return made


def _want(level: str) -> tuple[list[str], list[list[list[str]]]]:
    if level == "county":
        return COUNTY_ROWS, list(EXPECTED.values())
    return PROVINCE_ROWS, [[*rows, rows[-1]] for rows in EXPECTED.values()]


def _number(text: str) -> float | None:
    if text == "—":
        return None
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text.replace(",", ""))


@pytest.mark.parametrize("level", ["county", "province"])
def test_the_xlsx_of_report_stats_holds_every_cell(files: dict[str, Path], level: str) -> None:
    labels, tables = _want(level)
    wb = openpyxl.load_workbook(files[f"{level}.xlsx"])
    assert wb.sheetnames == SHEETS
    for sheet, want in zip(wb.worksheets, tables, strict=True):
        assert f"截至 {AS_OF}" in sheet["A2"].value and f"{PERIOD} 年" in sheet["A2"].value
        got_labels = [str(sheet.cell(r, 1).value).strip() for r in range(5, 5 + len(labels))]
        assert got_labels == labels, sheet.title
        for n, want_row in enumerate(want, start=5):
            got = [sheet.cell(n, c).value for c in range(2, 2 + len(want_row))]
            assert got == pytest.approx([_number(w) for w in want_row], abs=0.0006), sheet.title


@pytest.mark.parametrize("level", ["county", "province"])
def test_the_pdf_of_report_stats_holds_every_cell(files: dict[str, Path], level: str) -> None:
    labels, tables = _want(level)
    reader = pypdf.PdfReader(files[f"{level}.pdf"])
    assert len(reader.pages) == 5
    unit = "西湖区总工会" if level == "county" else "浙江省总工会"
    for page, title, want in zip(reader.pages, SHEETS, tables, strict=True):
        text = page.extract_text()
        assert f"{unit} {title}" in text
        assert f"截至 {AS_OF}" in text and "服务端" in text  # the server's rules are stated
        for sign in ("填报人", "审核人", "负责人"):
            assert f"{sign}：" in text
        tokens = text.split()
        for label, want_row in zip(labels, want, strict=True):
            words = label.split()
            at = next(i for i in range(len(tokens)) if tokens[i : i + len(words)] == words)
            start = at + len(words)
            assert tokens[start : start + len(want_row)] == want_row, (title, label)


def test_no_personal_value_in_any_file(files: dict[str, Path]) -> None:
    for name, path in files.items():
        if path.suffix == ".pdf":
            text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
        else:
            wb = openpyxl.load_workbook(path)
            text = " ".join(str(c.value) for s in wb.worksheets for r in s.iter_rows() for c in r)
        assert not any(v in text for v in (*PERSONAL, *BEISHAN_PERSONAL)), name
        assert NAMES["A"] not in text and BEISHAN_UNION not in text  # rows are org units
        assert "3301061990" not in text, name  # no ID number


def test_report_stats_refuses_a_bad_date_a_bad_file_and_an_unknown_unit(
    servers: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(servers["county"].data_path)
    base = ["report", "stats", "--data", data]
    assert server_main([*base, "--as-of", "2026-13-01", "-o", str(tmp_path / "a.xlsx")]) == 2
    assert "is not a date" in capsys.readouterr().err
    assert server_main([*base, "--as-of", AS_OF, "-o", str(tmp_path / "a.csv")]) == 2
    assert "must end in .xlsx or .pdf" in capsys.readouterr().err
    assert server_main([*base, "--as-of", AS_OF, "--unit", "999", "-o",
                        str(tmp_path / "a.xlsx")]) == 2  # fmt: skip
    assert "not an org unit" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_reviewer_desktop_fetches_the_county_tables_by_a_signed_call(
    servers: dict[str, Any], tmp_path: Path
) -> None:
    """What the county computes reaches the reviewer's device, printable by the same writer;
    a unit outside the county, a bad date and an unsigned request get nothing."""
    import requests

    from printing.stats_files import write_report
    from sync.client import SyncError
    from sync.review_client import fetch_stats
    from tests.sync.relay_support import reviewer_client

    county = servers["county"]
    client = reviewer_client(county.url, county.server)
    try:
        fetched = fetch_stats(client, AS_OF, PERIOD)
        assert _cells(fetched) == _cells(report(county.server.store, COUNTY, AS_OF, PERIOD))
        assert [values for _, values in _cells(fetched)["realname"]] == EXPECTED["realname"]
        one = fetch_stats(client, AS_OF, PERIOD, unit=BEISHAN)
        assert [v for _, v in _cells(one)["membership"]] == [BEI["membership"]]
        write_report(fetched, tmp_path / "fetched.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "fetched.xlsx")["会员情况"]
        assert [sheet.cell(7, c).value for c in range(2, 6)] == [43, 19, 7, 3]
        with pytest.raises(SyncError) as refused:
            client.stats(AS_OF, PERIOD, unit=PROVINCE)
        assert refused.value.code == "not_allowed"
        with pytest.raises(SyncError) as bad:
            client.stats("2026-02-30", PERIOD)
        assert bad.value.code == "bad_request"
    finally:
        client.session.close()
    plain = requests.get(f"{county.url}/v1/stats?as_of={AS_OF}",
                         verify=str(county.data_path / "tls" / "ca.pem"), timeout=10)  # fmt: skip
    assert plain.status_code == 401 and "members" not in plain.text
