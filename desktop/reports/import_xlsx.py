"""A lean streaming reader of .xlsx worksheets (cell values only), for large member sheets.

openpyxl's read-only mode parses every cell into objects and, when a sheet lacks a ``<dimension>``,
reads the whole sheet once more to size it; on a 100,000-row roster that is most of the import's
time. This reader pulls the worksheet XML straight from the zip with an incremental parser and
yields one tuple of plain values per row: shared and inline strings (phonetic runs dropped),
numbers (int when whole), booleans, error texts, and dates where the cell's number format is a
date format (1900 and 1904 date systems). Missing rows come out as empty tuples so row numbers
stay those Excel shows. Formulas give their cached value, as Excel saved it.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from html import unescape
from typing import Any, cast
from xml.etree.ElementTree import Element, XMLPullParser, fromstring

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BUILTIN_DATE_FORMATS = set(range(14, 23)) | {27, 30, 36, 45, 46, 47, 50, 57}
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_SI = re.compile(r"<(?:\w+:)?si(?:\s[^>]*)?>(.*?)</(?:\w+:)?si>|<(?:\w+:)?si\s*/>", re.S)
_RPH = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_T = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
CHUNK = 1 << 16


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def is_date_format(code: str) -> bool:
    """Whether a number-format code shows a date (d, m, y outside quotes and brackets)."""
    bare = _QUOTED.sub("", code).lower()
    return any(ch in bare for ch in "dy") or ("m" in bare and "h" not in bare and "s" not in bare)


class XlsxBook:
    """An open .xlsx: its sheet names, shared strings, date styles; rows of one sheet at a time."""

    def __init__(self, path: Any) -> None:
        self.zf = zipfile.ZipFile(path)
        self.sheets: dict[str, str] = {}  # name -> member path in the zip
        self.date1904 = False
        self._strings: list[str] | None = None
        self._date_styles: set[int] | None = None
        self._read_workbook()

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _xml(self, name: str) -> Any:
        return fromstring(self.zf.read(name))

    def _read_workbook(self) -> None:
        book = self._xml("xl/workbook.xml")
        targets: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in self.zf.namelist():
            for rel in self._xml("xl/_rels/workbook.xml.rels"):
                target = rel.get("Target", "")
                if target.startswith("/"):
                    full = target.lstrip("/")
                else:
                    full = posixpath.normpath(posixpath.join("xl", target))
                targets[rel.get("Id", "")] = full
        for el in book.iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                self.date1904 = el.get("date1904", "0") in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                if rid in targets:
                    self.sheets[el.get("name", "")] = targets[rid]

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def strings(self) -> list[str]:
        """The shared-string table (regular expressions over the XML: far faster than a
        parser on the hundreds of thousands of names and numbers of a big roster)."""
        if self._strings is None:
            self._strings = []
            if "xl/sharedStrings.xml" in self.zf.namelist():
                text = self.zf.read("xl/sharedStrings.xml").decode("utf-8")
                for m in _SI.finditer(text):
                    body = m.group(1) or ""
                    if "<" not in body:
                        self._strings.append("")
                        continue
                    if "rPh" in body:
                        body = _RPH.sub("", body)
                    runs = _T.findall(body)
                    value = "".join(runs)
                    self._strings.append(unescape(value) if "&" in value else value)
        return self._strings

    def date_styles(self) -> set[int]:
        if self._date_styles is None:
            self._date_styles = set()
            if "xl/styles.xml" in self.zf.namelist():
                root = self._xml("xl/styles.xml")
                custom: dict[int, str] = {}
                xfs: list[int] = []
                for el in root.iter():
                    tag = _local(el.tag)
                    if tag == "numFmt":
                        custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
                    elif tag == "cellXfs":
                        xfs = [int(x.get("numFmtId", "0")) for x in el if _local(x.tag) == "xf"]
                for index, fmt in enumerate(xfs):
                    if fmt in BUILTIN_DATE_FORMATS or (
                        fmt in custom and is_date_format(custom[fmt])
                    ):
                        self._date_styles.add(index)
        return self._date_styles

    def rows(self, sheet: str) -> Iterator[tuple[Any, ...]]:
        """The sheet's rows from row 1, each a tuple of values (trailing empties dropped)."""
        strings = self.strings()
        dates = self.date_styles()
        epoch = _dt.datetime(1904, 1, 1) if self.date1904 else _dt.datetime(1899, 12, 30)
        next_row = 1
        with self.zf.open(self.sheets[sheet]) as fh:
            parser = XMLPullParser(events=("end",))
            while chunk := fh.read(CHUNK):
                parser.feed(chunk)
                for _, el in cast("Iterator[tuple[str, Element]]", parser.read_events()):
                    if el.tag[-3:] != "row":  # only whole rows are handled (cells inside them)
                        continue
                    number = int(el.get("r") or next_row)
                    while next_row < number:  # rows Excel left out: empty, numbering kept
                        yield ()
                        next_row += 1
                    yield _row_values(el, strings, dates, epoch, self.date1904)
                    next_row = number + 1
                    el.clear()


def _row_values(row: Any, strings: list[str], dates: set[int], epoch: Any, d1904: bool) -> tuple:
    cells: dict[int, Any] = {}
    col = -1
    for c in row:
        ref = c.get("r")
        if ref:
            m = _CELL_REF.match(ref)
            col = _col_index(m.group(1)) if m else col + 1
        else:
            col += 1
        value = _cell_value(c, strings, dates, epoch, d1904)
        if value is not None:
            cells[col] = value
    if not cells:
        return ()
    return tuple(cells.get(i) for i in range(max(cells) + 1))


def _text_of(el: Any) -> str:
    """The text of an ``<si>`` / ``<is>``: its ``<t>`` runs, phonetic ``<rPh>`` runs left out."""
    parts: list[str] = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _cell_value(el: Any, strings: list[str], dates: set[int], epoch: Any, date1904: bool) -> Any:
    kind = el.get("t", "n")
    if kind == "inlineStr":
        inline = next((c for c in el if _local(c.tag) == "is"), None)
        return _text_of(inline) if inline is not None else None
    v = next((c.text for c in el if _local(c.tag) == "v"), None)
    if v is None:
        return None
    if kind == "s":
        try:
            return strings[int(v)]
        except (ValueError, IndexError):
            return None
    if kind in ("str", "e"):
        return v
    if kind == "b":
        return v.strip() in ("1", "true")
    if kind == "d":
        try:
            return _dt.datetime.fromisoformat(v)
        except ValueError:
            return v
    try:
        number: Any = int(v) if v.lstrip("-").isdigit() else float(v)
    except ValueError:
        return v
    style = el.get("s")
    if style is not None and int(style) in dates:
        serial = float(number)
        if not date1904 and serial < 61:
            serial += 1  # Excel's phantom 1900-02-29
        try:
            return epoch + _dt.timedelta(days=serial)
        except OverflowError:
            return number
    return number
