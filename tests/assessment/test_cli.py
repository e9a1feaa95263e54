"""``uniondesk print ballot|tally|notice`` headless, on a real workspace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli import main, print_assessment
from desktop.domain import assessments as ops
from forms import assessment as a

PASSWORD = "Correct-horse-9"


def text(pdf: Path) -> str:
    return "".join(re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(pdf).pages)


def run(argv: list[str]) -> int:
    """Through the real ``uniondesk`` parser when the print registry lists this module."""
    import argparse

    from desktop.cli import print_cmds

    if "desktop.cli.print_assessment" in print_cmds.PRINT_TARGET_MODULES:
        return main(["print", *argv])
    parser = argparse.ArgumentParser()
    print_assessment.register_print(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_blank_ballots_need_no_workspace(tmp_path: Path, capsys) -> None:
    out = tmp_path / "ballots.pdf"
    assert (
        run(
            [
                "ballot",
                "--union",
                "江南纺织厂工会",
                "--year",
                "2026",
                "--copies",
                "4",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == str(out)
    reader = PdfReader(out)
    assert len(reader.pages) == 4
    assert "江南纺织厂工会2026年度会员评议职工之家测评票" in text(out)
    assert run(["ballot", "--copies", "0", "-o", str(out)]) == 2


def test_tally_and_notice_of_a_stored_session(ws, unions, tmp_path: Path, monkeypatch, capsys):
    session = ops.new_session(ws, unions["jiangnan"], 2026, meeting_date="2026-04-08")
    session.eligible, session.attendees, session.issued = 45, 40, 40
    session.use_ballots(a.load_template(), ["111111"] * 30 + ["333333"] * 9 + ["X"])
    session = ops.save_session(ws, session)
    draft = ops.create_session(ws, unions["xixi"], 2026)
    folder = ws.path
    ws.close(backup=False)
    monkeypatch.setenv("UNIONDESK_PASSWORD", PASSWORD)
    common = ["--workspace", str(folder), "--user", "admin"]

    notice = tmp_path / "notice.pdf"
    assert run(["notice", session.uuid, *common, "-o", str(notice)]) == 0
    body = text(notice)
    assert "关于江南纺织厂工会2026年度会员评家测评结果的公示" in body
    assert "2026年4月8日" in body and "有效票39张、废票1张" in body
    assert "总体满意率为76.9%" in body  # 30 of 39

    tally = tmp_path / "tally.pdf"
    assert run(["tally", "--session", session.uuid, *common, "-o", str(tally)]) == 0
    assert "逐票录入记录（共40张）" in text(tally)

    capsys.readouterr()
    assert run(["notice", draft.uuid, *common, "-o", str(tmp_path / "x.pdf")]) == 1
    assert "no result yet" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(["notice", "no-such-id", *common, "-o", str(tmp_path / "y.pdf")])
    assert not (tmp_path / "x.pdf").exists()


def test_blank_ballot_for_the_one_question_template(tmp_path: Path) -> None:
    out = tmp_path / "overall.pdf"
    assert run(["ballot", "--template", "overall", "--union", "西溪工会", "-o", str(out)]) == 0
    body = text(out)
    assert "对工会工作和职工之家建设的总体评价" in body and "经费使用" not in body
    with pytest.raises(SystemExit) as caught:
        run(["ballot", "--template", "nonesuch", "-o", str(out)])
    assert caught.value.code == 2
