"""The PDF layer every printout uses, read back as a person or a scanner would."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from printing.pdf import CheckBoxes, PdfCancelled, PdfDocument, QrStamp, content_hash
from tests.audits.pdfcheck import (
    assert_in_order,
    decode_qr,
    page_texts,
    pdffonts,
    render_pages,
    right_margin_is_blank,
    squash,
)

LONG = "会员活动经费支出是否有活动方案、预算、签到表和照片，是否存在以活动名义发放现金、购物卡或有价证券的情况（Rule 12-b）。"


def build_sample(path: Path, rows: int, *, landscape: bool, qr: QrStamp | None = None) -> Path:
    doc = PdfDocument(
        path,
        title="测试打印 Sample",
        header_left="杭州某某机械有限公司工会委员会",
        header_right="西溪街道总工会",
        landscape=landscape,
        qr=qr,
        printed_at=datetime(2026, 11, 23, 9, 5),
    )
    doc.heading("经费审查检查表")
    doc.key_values([("审查期间", "2026-01-01 至 2026-06-30"), ("审查人", "张三、李四")])
    doc.table(
        ["序号", "检查项目", "结果", "金额（元）"],
        [
            [
                str(i),
                f"第{i}项 " + LONG * (1 + i % 3),
                CheckBoxes(["合规", "不合规"], "合规"),
                "12.50",
            ]
            for i in range(1, rows + 1)
        ],
        col_widths=[0.6, 6, 1.6, 1.2],
        align=["centre", "left", "left", "right"],
    )
    doc.checkboxes(["合规", "不合规", "不适用"], checked="不适用")
    doc.signature_block(["审查人", "经审会主任", "工会主席", "财务负责人", "制表"])
    return doc.build()


def test_table_splits_with_repeated_header_and_page_footer(tmp_path: Path) -> None:
    pdf = build_sample(tmp_path / "t.pdf", 40, landscape=False)
    texts = [squash(t) for t in page_texts(pdf)]
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert f"第{number}页共{len(texts)}页" in text
        assert "打印时间：2026-11-2309:05" in text
        assert "杭州某某机械有限公司工会委员会" in text and "西溪街道总工会" in text
    # the header row is repeated on every page the table runs over
    table_pages = [t for t in texts if re.search(r"第\d+项", t)]
    assert len(table_pages) >= 3
    assert all("序号检查项目结果金额（元）" in t for t in table_pages)
    assert_in_order("".join(texts), [f"第{i}项" for i in range(1, 41)] + ["工会主席（签字）"])


def test_pages_are_a4_in_the_orientation_asked(tmp_path: Path) -> None:
    portrait = PdfReader(build_sample(tmp_path / "p.pdf", 2, landscape=False)).pages[0]
    landscape = PdfReader(build_sample(tmp_path / "l.pdf", 2, landscape=True)).pages[0]
    assert (round(float(portrait.mediabox.width)), round(float(portrait.mediabox.height))) == (
        595,
        842,
    )
    assert (round(float(landscape.mediabox.width)), round(float(landscape.mediabox.height))) == (
        842,
        595,
    )


def test_cjk_font_embedded_as_subset_and_long_text_wraps(
    tmp_path: Path, artefact_dir: Path
) -> None:
    pdf = build_sample(tmp_path / "w.pdf", 12, landscape=False)
    fonts = pdffonts(pdf)
    cjk = [f for f in fonts if "DroidSansFallback" in f["name"]]
    assert cjk and all(f["emb"] == "yes" and f["sub"] == "yes" for f in cjk), fonts
    assert all("+" in f["name"] for f in cjk)
    images = render_pages(pdf, artefact_dir / "pdf-layer", "wrap")
    assert images and all(right_margin_is_blank(img) for img in images)
    # the long rule text appears whole although it wrapped over several lines
    assert LONG in "".join(page_texts(pdf)).replace("\n", "")


def test_qr_on_every_page_decodes_to_record_id_version_hash(tmp_path: Path) -> None:
    stamp = QrStamp(str(uuid.uuid4()), 7, content_hash({"items": [1, 2], "名称": "工会"}))
    pdf = build_sample(tmp_path / "q.pdf", 30, landscape=True, qr=stamp)
    pages = len(PdfReader(pdf).pages)
    assert pages >= 2
    images = render_pages(pdf, tmp_path / "img", "q", dpi=200, first=1, last=2)
    for image in images:
        assert [QrStamp.parse(t) for t in decode_qr(image)] == [stamp]


def test_qr_payload_round_trips_and_rejects_foreign_codes() -> None:
    stamp = QrStamp("abc-1", 3, "f" * 64)
    assert QrStamp.parse(stamp.payload) == stamp
    with pytest.raises(ValueError):
        QrStamp.parse("https://example.com/")


def test_content_hash_ignores_key_order_but_not_values() -> None:
    assert content_hash({"a": 1, "b": "二"}) == content_hash({"b": "二", "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})


def test_progress_reaches_total_and_cancel_writes_nothing(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    doc = PdfDocument(tmp_path / "ok.pdf", title="t")
    for i in range(5):
        doc.paragraph(f"段落{i}")
    doc.build(progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5, 5) and (tmp_path / "ok.pdf").exists()

    doc = PdfDocument(tmp_path / "cancelled.pdf", title="t")
    for i in range(50):
        doc.paragraph(f"段落{i}")
        doc.page_break()
    with pytest.raises(PdfCancelled):
        doc.build(cancel=lambda: True)
    assert list(tmp_path.glob("cancelled*")) == [] and list(tmp_path.glob(".cancelled*")) == []


def test_a_row_taller_than_a_page_splits_and_keeps_all_its_text(tmp_path: Path) -> None:
    doc = PdfDocument(tmp_path / "huge.pdf", title="t", header_left="甲", header_right="乙")
    huge = "".join(f"第{i}句很长的发现问题描述，需要跨页显示。" for i in range(300))
    doc.table(
        ["序号", "发现问题", "证据"],
        [["1", huge, "凭证1"], ["2", "短句", "凭证2"]],
        col_widths=[1, 8, 2],
    )
    doc.table(["空表"], [])
    doc.build()
    assert doc.page_count >= 3
    text = squash("".join(page_texts(tmp_path / "huge.pdf")))
    assert all(f"第{i}句" in text for i in range(300)) and "短句" in text
