"""`uniondesk print checklist --blank` with no workspace at all, read back as a person would."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import forms
from forms.checklist import template_from_raw
from printing.pdf import QrStamp
from tests.audits.pdfcheck import (
    assert_in_order,
    decode_qr,
    page_texts,
    pdffonts,
    render_pages,
    right_margin_is_blank,
    squash,
)

ROOT = Path(__file__).resolve().parents[2]


def uniondesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIONDESK")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), APPDATA=str(home / "data"))
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )


@pytest.fixture(scope="module")
def blank_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("blank")
    out = tmp / "blank.pdf"
    result = uniondesk(tmp, "print", "checklist", "--blank", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert not (tmp / "home" / "data").exists()  # no workspace was made or needed
    return out


def test_blank_checklist_lists_every_item_in_order_with_boxes_and_signatures(
    blank_pdf: Path,
) -> None:
    template = template_from_raw(forms.load_form("audit_checklist").raw)
    texts = page_texts(blank_pdf)
    whole = "".join(texts)
    assert_in_order(whole, [item.text() for item in template.items])
    assert_in_order(whole, [item.guidance_text() for item in template.items])
    for label in (
        "审查人（签字）",
        "经审会主任（签字）",
        "工会主席（签字）",
        "财务负责人（签字）",
        "制表（签字）",
    ):
        assert label in squash(whole)
    table_pages = [squash(t) for t in texts if "检查内容及方法" in t]
    assert len(table_pages) >= len(template.areas)
    # every page carrying items carries the column header row
    for text in (squash(t) for t in texts):
        if "审查方法" in text:
            assert "序号检查内容及方法检查结果" in text


def test_blank_checklist_embeds_the_cjk_font_subset_and_stays_inside_the_page(
    blank_pdf: Path, artefact_dir: Path
) -> None:
    cjk = [f for f in pdffonts(blank_pdf) if "DroidSansFallback" in f["name"]]
    assert cjk and all(f["emb"] == "yes" and f["sub"] == "yes" for f in cjk)
    images = render_pages(blank_pdf, artefact_dir / "audits", "blank-checklist", dpi=80)
    assert len(images) == len(page_texts(blank_pdf))
    assert all(right_margin_is_blank(image) for image in images)


def test_blank_checklist_qr_names_the_template_version(blank_pdf: Path, tmp_path: Path) -> None:
    form = forms.load_form("audit_checklist")
    image = render_pages(blank_pdf, tmp_path, "qr", dpi=200, first=1, last=1)[0]
    assert [QrStamp.parse(t) for t in decode_qr(image)] == [
        QrStamp(form.id, form.version, form.hash)
    ]


def test_blank_from_a_definition_file_a_county_sent(tmp_path: Path) -> None:
    raw = copy.deepcopy(forms.load_form("audit_checklist").raw)
    raw["version"] = 7
    for limit in raw["x_checklist"]["limits"]:
        if limit["id"] == "holiday_gift_per_person_year":
            limit["value"] = 88800
    definition = tmp_path / "county.json"
    definition.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "v7.pdf"
    result = uniondesk(
        tmp_path, "print", "checklist", "--blank", "--definition", str(definition), "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "888.00元" in squash("".join(page_texts(out)))


def test_template_by_id_and_version_and_clear_errors(tmp_path: Path) -> None:
    ok = uniondesk(
        tmp_path,
        "print",
        "checklist",
        "--blank",
        "--template",
        "audit_checklist@1",
        "-o",
        str(tmp_path / "a.pdf"),
    )
    assert ok.returncode == 0, ok.stderr
    missing = uniondesk(
        tmp_path,
        "print",
        "checklist",
        "--blank",
        "--template",
        "no_such",
        "-o",
        str(tmp_path / "b.pdf"),
    )
    assert missing.returncode == 1 and "no checklist template 'no_such'" in missing.stderr
    assert "Traceback" not in missing.stderr
    not_checklist = uniondesk(
        tmp_path,
        "print",
        "checklist",
        "--blank",
        "--template",
        "member",
        "-o",
        str(tmp_path / "c.pdf"),
    )
    assert (
        not_checklist.returncode == 1 and "not a usable checklist template" in not_checklist.stderr
    )
    no_record = uniondesk(tmp_path, "print", "checklist", "-o", str(tmp_path / "d.pdf"))
    assert no_record.returncode == 2 and "--blank" in no_record.stderr
    assert not list(tmp_path.glob("[bcd].pdf"))


def test_blank_checklist_in_english(tmp_path: Path) -> None:
    out = tmp_path / "en.pdf"
    result = uniondesk(tmp_path, "print", "checklist", "--blank", "--lang", "en", "-o", str(out))
    assert result.returncode == 0, result.stderr
    texts = page_texts(out)
    template = template_from_raw(forms.load_form("audit_checklist").raw)
    assert_in_order("".join(texts), [item.text("en") for item in template.items])
    assert f"Page 1 of {len(texts)}" in texts[0] and "Reviewer (signature):" in texts[-1]
