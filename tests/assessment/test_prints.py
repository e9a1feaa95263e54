"""Assessment printouts read back with pypdf, first pages rendered with pdftoppm for people."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.domain.assessments import Rectification, Session
from desktop.reports import assessment_pdf
from forms import assessment as a

UNION = "杭州西溪云栖科技有限公司工会"
ORG = "西溪街道总工会"
TEMPLATE = a.load_template()
ITEMS_ZH = ["组织建设", "民主管理", "维权服务", "关爱会员", "经费使用", "职工小家建设"]


def text_of(pdf: Path) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(pdf).pages]


def render_first_page(pdf: Path, out_dir: Path, name: str) -> Path:
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.fail("pdftoppm is missing: apt-get install poppler-utils (./dev.sh setup)")
    prefix = out_dir / name
    subprocess.run(
        [tool, "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
    )
    image = prefix.with_suffix(".png")
    assert image.stat().st_size > 5_000  # a page with content, not a blank sheet
    return image


def sample_session() -> Session:
    # 52 happy ballots, 5 with 不满意 on 经费使用, 2 invalid, 1 all 基本满意 -> 60 returned
    ballots = ["111111"] * 40 + ["121212"] * 12 + ["111131"] * 5 + ["X", "X"] + ["222222"]
    session = Session(
        union="u-1",
        year=2026,
        date="2026-03-12",
        eligible=72,
        attendees=61,
        issued=61,
        uuid="5f0c2d7e-0000-4000-8000-000000000001",
        version=3,
    )
    session.use_ballots(TEMPLATE, ballots)
    result = session.compute(TEMPLATE)
    assert result.ok
    session.result = result.as_dict()
    session.rectifications = [
        Rectification("公开经费使用明细，每季度张榜", owner="李红", deadline="2026-06-30")
    ]
    return session


def test_ballot_sheet_has_the_union_items_and_grades_on_every_copy(
    tmp_path: Path, artefact_dir: Path
) -> None:
    pdf = assessment_pdf.ballot_sheet(
        tmp_path / "ballot.pdf", TEMPLATE, union_name=UNION, year=2026, copies=3, org_unit_name=ORG
    )
    pages = text_of(pdf)
    assert len(pages) == 3
    for n, page in enumerate(pages, start=1):
        assert f"{UNION}2026年度会员评议职工之家测评票" in page
        for item in ITEMS_ZH:
            assert item in page
        for grade in ("满意", "基本满意", "不满意"):
            assert grade in page
        assert f"第{n}份" in page
        assert "意见和建议" in page
    render_first_page(pdf, artefact_dir, "assessment-ballot-sheet")


def test_result_notice_has_the_figures_the_rule_and_signature_lines(
    tmp_path: Path, artefact_dir: Path
) -> None:
    session = sample_session()
    pdf = assessment_pdf.result_notice(
        tmp_path / "notice.pdf", TEMPLATE, session, union_name=UNION, org_unit_name=ORG
    )
    (page,) = text_of(pdf)
    assert f"关于{UNION}2026年度会员评家测评结果的公示" in page
    assert "2026年3月12日" in page
    assert "应到72人，实到61人" in page
    assert "收回60张，其中有效票58张、废票2张" in page
    assert "测评有效" in page
    # 经费使用: 58 valid, 5 不满意 -> 53/58 = 91.38 %; the others 100 %
    assert "经费使用" in page and "91.3%" in page
    # overall = mean of the six item rates = (5 + 53/58) / 6 = 98.56 %
    assert "总体满意率为98.5%" in page
    assert "无需整改" in page
    assert "符合申报（保留）模范职工之家条件" in page
    assert "公开经费使用明细" in page and "李红" in page
    for label in ("工会主席（签字）", "计票人（签字）", "监票人（签字）"):
        assert label in page
    assert "三分之二" in page and "90%" in page
    render_first_page(pdf, artefact_dir, "assessment-result-notice")


def test_notice_of_a_failed_session_says_why(tmp_path: Path) -> None:
    session = Session(union="u", year=2026, date="2026-04-01", eligible=90, attendees=59, issued=59)
    session.use_ballots(TEMPLATE, ["333111"] * 30 + ["111111"] * 29)
    session.result = session.compute(TEMPLATE).as_dict()
    (page,) = text_of(
        assessment_pdf.result_notice(tmp_path / "n.pdf", TEMPLATE, session, union_name=UNION)
    )
    assert "本次测评无效" in page and "至少应为60人" in page
    assert "需要限期整改" in page
    assert "组织建设不满意30票，占有效票59张的50.8%" in page
    assert "未达到申报" in page


def test_tally_sheet_lists_every_keyed_ballot(tmp_path: Path, artefact_dir: Path) -> None:
    session = sample_session()
    pdf = assessment_pdf.tally_sheet(
        tmp_path / "tally.pdf", TEMPLATE, union_name=UNION, year=2026, session=session
    )
    text = "".join(text_of(pdf))
    assert f"{UNION}2026年度会员评家计票表" in text
    assert "逐票录入记录（共60张）" in text
    assert "58：X" in text and "60：222222" in text
    render_first_page(pdf, artefact_dir, "assessment-tally-sheet")
    blank = assessment_pdf.tally_sheet(
        tmp_path / "blank.pdf", TEMPLATE, union_name=UNION, year=2026
    )
    blank_text = "".join(text_of(blank))
    assert all(item in blank_text for item in ITEMS_ZH) and "逐票" not in blank_text


def test_a_notice_needs_a_result(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        assessment_pdf.result_notice(
            tmp_path / "x.pdf", TEMPLATE, Session(union="u", year=2026), union_name=UNION
        )
    assert not (tmp_path / "x.pdf").exists()
