"""Reading printouts back the way a person or a scanner would: text, fonts, page images, QR."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: run ./dev.sh setup (poppler-utils, zbar-tools)")
    return path


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def squash(text: str) -> str:
    """Text without any whitespace, so wrapped lines compare equal to the source string."""
    return re.sub(r"\s+", "", text)


def assert_in_order(haystack: str, needles: list[str]) -> None:
    """Every needle occurs in ``haystack`` (whitespace ignored), each after the previous one."""
    flat = squash(haystack)
    pos = 0
    for needle in needles:
        found = flat.find(squash(needle), pos)
        assert found >= 0, f"{needle[:40]!r} missing (or out of order) after offset {pos}"
        pos = found + len(squash(needle))


def pdffonts(pdf: Path) -> list[dict[str, str]]:
    out = subprocess.run(
        [need_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object ID: read the flags from the right
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def render_pages(
    pdf: Path,
    out_dir: Path,
    prefix: str,
    dpi: int = 70,
    first: int | None = None,
    last: int | None = None,
) -> list[Path]:
    """PNG images of the pages (pdftoppm), sorted by page number."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"{prefix}-*.png"):
        old.unlink()
    cmd = [need_tool("pdftoppm"), "-r", str(dpi), "-png"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    subprocess.run([*cmd, str(pdf), str(out_dir / prefix)], check=True, timeout=120)
    return sorted(out_dir.glob(f"{prefix}-*.png"))


def decode_qr(image: Path) -> list[str]:
    """Texts of the QR codes zbarimg finds in an image."""
    result = subprocess.run(
        [need_tool("zbarimg"), "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def right_margin_is_blank(image: Path, margin_mm: float = 13.0) -> bool:
    """True when nothing is drawn in the outer ``margin_mm`` strip on the right of a page image."""
    from PIL import Image

    with Image.open(image) as img:
        grey = img.convert("L")
        width_px, height_px = grey.size
        strip_px = int(width_px * margin_mm / (297 if width_px > height_px else 210))
        strip = grey.crop((width_px - strip_px, 0, width_px, height_px))
        return strip.getextrema()[0] > 200


PAGE_FURNITURE = (r"第\d+页共\d+页", r"打印时间：\d{4}-\d{2}-\d{2}\d{2}:\d{2}")


def body_text(texts: list[str], furniture: list[str]) -> str:
    """The pages' text joined without page furniture (headers, footers, repeated table header
    rows), so a table cell that continues on the next page reads as one piece."""
    out = []
    for text in texts:
        flat = squash(text)
        for pattern in PAGE_FURNITURE:
            flat = re.sub(pattern, "", flat)
        for piece in furniture:
            flat = flat.replace(squash(piece), "")
        out.append(flat)
    return "".join(out)
