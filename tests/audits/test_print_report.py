"""The completed report of a 150-item checklist and the rectification list, printed headless
through `uniondesk print` from a real workspace and read back (pypdf, pdffonts, pdftoppm, zbarimg)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.domain import checklists
from printing.pdf import QrStamp, content_hash
from tests.audits.conftest import HEADER, PASSWORDS, big_template_definition, fill, open_as
from tests.audits.pdfcheck import (
    assert_in_order,
    body_text,
    decode_qr,
    page_texts,
    pdffonts,
    render_pages,
    right_margin_is_blank,
    squash,
)

ROOT = Path(__file__).resolve().parents[2]
LONG_FINDING = (
    "2026年春节、中秋节向全体会员发放超市购物卡，每人面值800元，共计312人，合计249,600.00元；"
    "其中部分购物卡由行政办公室代为采购，未经工会委员会集体研究，发票开具内容为“办公用品”，"
    "与实际不符（see voucher 2026-03-017, invoice No. 44031234567890）。"
)


def finding(n: int) -> str:
    return f"问题{n}：" + (LONG_FINDING * (1 + n % 3) if n % 4 == 0 else "账实不符，需补充凭证。")


def uniondesk(
    ws_path: Path, *args: str, user: str = "auditor1"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIONDESK")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop.cli",
            *args,
            "--workspace",
            str(ws_path),
            "--user",
            user,
            "--password-stdin",
        ],
        input=PASSWORDS[user] + "\n",
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env=env,
    )


@pytest.fixture
def signed_big(ws_path: Path):
    """A signed-off checklist of 150 items, 38 of them non-compliant with findings."""
    with open_as(ws_path, "admin") as admin:
        admin.forms.add(big_template_definition(150, version=3))
    with open_as(ws_path, "auditor1") as ws:
        rec = checklists.create_checklist(
            ws, dict(HEADER, conclusion="总体合规，节日慰问发放购物卡问题须限期整改。")
        )
        data = dict(rec.data, items=[dict(r) for r in rec.data["items"]])
        findings = {n: finding(n) for n in range(0, 150, 4)}
        fill(data["items"], findings=findings, deadline="2026-08-31")
        checklists.save_checklist(ws, rec.uuid, data)
        signed = checklists.sign_off(ws, rec.uuid)
        template = checklists.template_of_record(ws, signed)
    return signed, template, findings


def test_completed_150_item_report_reads_back_whole_and_in_order(
    ws_path: Path, signed_big, artefact_dir: Path, tmp_path: Path
) -> None:
    signed, template, findings = signed_big
    out = tmp_path / "report.pdf"
    result = uniondesk(ws_path, "print", "checklist", signed.uuid, "-o", str(out))
    assert result.returncode == 0, result.stderr
    texts = page_texts(out)
    assert len(texts) > 10
    images = render_pages(out, artefact_dir / "audits", "completed-checklist", dpi=80)
    assert len(images) == len(texts)

    # every item's text and every finding, in item order
    expected: list[str] = []
    for n, item in enumerate(template.items):
        expected.append(item.text())
        if n in findings:
            expected.append(findings[n])
    assert len(template.items) == 150
    header_row = "序号检查项目检查结果涉及金额（元）发现问题证据索引整改"
    furniture = [
        header_row,
        HEADER["union_name"],
        "西溪街道总工会",
        f"v{signed.version}{content_hash(signed.data)[:12]}",
        f"经费审查报告{HEADER['union_name']}",
    ]
    assert_in_order(body_text(texts, furniture), expected + ["审查人（签字）", "制表（签字）"])

    # tables break across pages with the header row repeated
    item_pages = [squash(t) for t in texts if "审查方法" not in t and "第" in t and "条：" in t]
    assert len(item_pages) > 8
    assert all(header_row in t for t in item_pages)

    # summary: counts and the amount in question
    whole = squash("".join(texts))
    assert "已签字确认（只读）" in whole
    amount = sum(10000 + n * 101 for n in findings)
    assert f"{amount // 100:,}.{amount % 100:02d}" in whole

    assert all(right_margin_is_blank(image) for image in images)
    cjk = [f for f in pdffonts(out) if "DroidSansFallback" in f["name"]]
    assert cjk and all(f["emb"] == "yes" and f["sub"] == "yes" for f in cjk)

    qr_image = render_pages(out, tmp_path, "qr", dpi=200, first=2, last=2)[0]
    stamp = QrStamp.parse(decode_qr(qr_image)[0])
    assert stamp == QrStamp(signed.uuid, signed.version, content_hash(signed.data))


def test_rectification_list_prints_overdue_items_of_signed_checklists(
    ws_path: Path, signed_big, artefact_dir: Path, tmp_path: Path
) -> None:
    signed, template, findings = signed_big
    first_item = template.items[0].id
    with open_as(ws_path, "auditor1") as ws:
        checklists.record_outcome(ws, signed.uuid, first_item, "done", "2026-08-01")
    out = tmp_path / "rect.pdf"
    result = uniondesk(ws_path, "print", "rectifications", "--as-of", "2026-09-10", "-o", str(out))
    assert result.returncode == 0, result.stderr
    whole = squash("".join(page_texts(out)))
    assert "经费审查整改事项清单" in whole and "已逾期逾期10天" in whole
    open_findings = [findings[n] for n in sorted(findings) if n != 0]
    assert_in_order(whole, open_findings)
    assert squash(findings[0]) not in whole  # rectified: no longer open
    render_pages(out, artefact_dir / "audits", "rectifications", dpi=80, first=1, last=2)


def test_printing_a_record_that_is_not_there_or_a_wrong_password_fails_clearly(
    ws_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "x.pdf"
    missing = uniondesk(ws_path, "print", "checklist", "0000-no-such", "-o", str(out))
    assert missing.returncode == 1 and "no record 0000-no-such" in missing.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIONDESK")}
    wrong = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop.cli",
            "print",
            "rectifications",
            "--workspace",
            str(ws_path),
            "--user",
            "auditor1",
            "--password-stdin",
            "-o",
            str(out),
        ],
        input="not-the-password\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert wrong.returncode == 1 and "Wrong password" in wrong.stderr
    assert "Traceback" not in missing.stderr + wrong.stderr and not out.exists()
