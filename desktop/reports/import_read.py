"""Reading member sheets: .xlsx / .xlsm / .xls / .ods / .et (python-calamine,
:mod:`import_calamine`; the streaming :mod:`import_xlsx` reader when calamine cannot open an
.xlsx) and .csv (UTF-8 / GB18030): one reading layer for every format.

:func:`open_sheet` looks at the file's bytes (never trusting the extension alone), refuses what is
not a readable spreadsheet with an :class:`ImportFileError` (a code plus parameters, e.g.
``file.encrypted``), finds the header row among the first rows (title rows and merged, two-row
headers are common in township sheets) and returns a :class:`SheetSource`: the header texts and a
fresh iterator over the data rows each time :meth:`SheetSource.rows` is called, so a 100,000-row
sheet is never held in memory.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from desktop.reports.import_errors import ImportFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HEADER_SCAN_ROWS = 15
CSV_DELIMITERS = ",\t;"


@dataclass
class SheetSource:
    """An opened sheet: where it came from, its header and a way to stream its data rows."""

    path: Path
    kind: str  # "xlsx" | "xls" | "ods" | "csv" (what the file is, from its bytes)
    headers: list[str]  # header text per column ("" when a column has none)
    header_row: int  # 1-based row number of the (last) header row
    sheet: str = ""  # worksheet name (xlsx)
    encoding: str = ""  # csv: "utf-8-sig" | "utf-8" | "gb18030"
    delimiter: str = ","
    sheet_names: list[str] = field(default_factory=list)
    reader: str = ""  # "calamine" | "xlsx-stream" | "csv"
    _opener: Callable[[], Iterator[tuple[Any, ...]]] | None = None

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(1-based row number as the user sees it, cell values) for each non-blank data row."""
        assert self._opener is not None
        for number, values in enumerate(self._opener(), start=1):
            if number <= self.header_row:
                continue
            if not any(not _blank(v) for v in values):
                continue
            yield number, values


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_key(text: Any) -> str:
    """A header text reduced for matching: NFKC, no spaces, no ``*`` marks, lower case."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    for ch in " \t\r\n*＊:：\u200b\ufeff":
        s = s.replace(ch, "")
    return s


def sniff_kind(path: Path) -> str:
    """``xlsx``, ``xls``, ``ods`` or ``csv`` from the file's first bytes, or raise
    :class:`ImportFileError`."""
    if not path.exists():
        raise ImportFileError("file.not_found", file=path.name)
    if path.is_dir():
        raise ImportFileError("file.not_spreadsheet", file=path.name)
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        raise ImportFileError("file.empty", file=path.name)
    if head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(path):
            raise ImportFileError("file.encrypted", file=path.name)
        return "xls"  # Excel 97-2003 .xls, or WPS .et (an OLE file too)
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                mimetype = zf.read("mimetype")[:80] if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise ImportFileError("file.damaged", file=path.name) from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return "ods"
        raise ImportFileError("file.not_spreadsheet", file=path.name)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError("file.not_spreadsheet", file=path.name)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return "csv"
    raise ImportFileError("file.not_spreadsheet", file=path.name)


def _ole_is_encrypted(path: Path) -> bool:
    """An OLE compound file holding an Office ``EncryptionInfo`` stream (password-protected)."""
    marker = "EncryptionInfo".encode("utf-16-le")
    with path.open("rb") as fh:
        data = fh.read(1 << 20)
    return marker in data or "EncryptedPackage".encode("utf-16-le") in data


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (BOM), ``utf-16`` (BOM), ``utf-8`` when every byte decodes, else ``gb18030``."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _csv_opener(path: Path, encoding: str, delimiter: str) -> Callable[[], Iterator[tuple]]:
    def opener() -> Iterator[tuple[Any, ...]]:
        with path.open("r", encoding=encoding, errors="strict", newline="") as fh:
            for row in csv.reader(fh, delimiter=delimiter):
                yield tuple(row)

    return opener


def _xlsx_opener(path: Path, sheet: str) -> Callable[[], Iterator[tuple]]:
    from desktop.reports.import_xlsx import XlsxBook

    cache: dict[str, Any] = {}  # shared strings and date styles, parsed once per source

    def opener() -> Iterator[tuple[Any, ...]]:
        with XlsxBook(path) as book:
            if cache:
                book._strings, book._date_styles = cache["strings"], cache["dates"]
            else:
                cache["strings"], cache["dates"] = book.strings(), book.date_styles()
            yield from book.rows(sheet)

    return opener


def _open_xlsx_names(path: Path) -> list[str]:
    from xml.etree.ElementTree import ParseError

    from desktop.reports.import_xlsx import XlsxBook

    try:
        with XlsxBook(path) as book:
            names = book.sheet_names
    except (KeyError, ParseError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError("file.damaged", file=path.name) from exc
    if not names:
        raise ImportFileError("file.damaged", file=path.name)
    return names


def _workbook(
    path: Path, kind: str
) -> tuple[list[str], Callable[[Path, str], Callable[[], Iterator[tuple]]], str]:
    """(sheet names, opener factory, reader name): calamine for every workbook format; for an
    .xlsx calamine cannot open, the streaming reader of :mod:`import_xlsx`."""
    from desktop.reports import import_calamine

    try:
        return import_calamine.sheet_names(path), import_calamine.opener, "calamine"
    except ImportFileError as exc:
        if kind != "xlsx" or exc.code == "file.encrypted":
            raise
    return _open_xlsx_names(path), _xlsx_opener, "xlsx-stream"


def _head(opener: Callable[[], Iterator[tuple]], n: int) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for row in opener():
        out.append(row)
        if len(out) >= n:
            break
    return out


def choose_header(
    head: list[tuple[Any, ...]], score: Callable[[str], bool]
) -> tuple[int, list[str]] | None:
    """The header among the first rows: (1-based row number, header text per column).

    Each candidate row is combined with the row above it, so that a header cell merged
    vertically over two rows (value in the upper cell only) or a group title merged across
    columns above the real headers still gives every column its text. The row whose combined
    texts match the most known column names wins. When none matches, the first row holding
    text is the header (the user maps its columns by hand); ``None`` when there is no text.
    """
    best: tuple[int, int, list[str]] | None = None
    for i, row in enumerate(head):
        above = head[i - 1] if i > 0 else ()
        width = max(len(row), len(above))
        texts: list[str] = []
        for c in range(width):
            v = row[c] if c < len(row) else None
            if _blank(v) and c < len(above) and not _blank(above[c]):
                v = above[c]
            texts.append("" if _blank(v) else str(v).strip())
        own = sum(1 for c, v in enumerate(row) if not _blank(v) and score(str(v)))
        hits = sum(1 for t in texts if t and score(t))
        if own == 0:
            continue
        if best is None or hits > best[1]:
            best = (i + 1, hits, texts)
    if best is None:
        # nothing known: the first row with text is the header, for the user to map by hand
        for i, row in enumerate(head):
            if any(not _blank(v) for v in row):
                if not any(isinstance(v, str) and v.strip() for v in row):
                    return None
                best = (i + 1, 0, ["" if _blank(v) else str(v).strip() for v in row])
                break
    if best is None:
        return None
    row_number, _, texts = best
    while texts and not texts[-1]:
        texts.pop()
    return row_number, texts


def open_sheet(
    path: Path | str, score: Callable[[str], bool], *, sheet: str | None = None
) -> SheetSource:
    """Open ``path``, find its header with ``score`` (True for a known column name)."""
    path = Path(path)
    kind = sniff_kind(path)
    if kind == "csv":
        encoding = detect_encoding(path)
        try:
            with path.open("r", encoding=encoding, newline="") as fh:
                sample = fh.read(16384)
        except UnicodeDecodeError as exc:
            raise ImportFileError("file.encoding", file=path.name) from exc
        first = "\n".join(sample.splitlines()[:HEADER_SCAN_ROWS])
        delimiter = max(CSV_DELIMITERS, key=first.count)
        if not first.count(delimiter):
            delimiter = ","
        opener = _csv_opener(path, encoding, delimiter)
        names: list[str] = []
        chosen = ""
        head = _guarded_head(path, opener)
        reader = "csv"
    else:
        names, make_opener, reader = _workbook(path, kind)
        candidates = [sheet] if sheet else names
        if sheet and sheet not in names:
            raise ImportFileError("file.no_such_sheet", file=path.name, sheet=sheet)
        chosen, head, opener, encoding, delimiter = "", [], None, "", ","
        for name in candidates:  # the first sheet with a header (an instructions sheet is skipped)
            op = make_opener(path, name)
            rows = _guarded_head(path, op)
            if not any(any(not _blank(v) for v in r) for r in rows):
                continue
            if opener is None or choose_header(head, score) is None:
                chosen, head, opener = name, rows, op
            if choose_header(rows, score) is not None:
                break
        if opener is None:
            raise ImportFileError("file.empty", file=path.name)
    if not any(any(not _blank(v) for v in r) for r in head):
        raise ImportFileError("file.empty", file=path.name)
    found = choose_header(head, score)
    if found is None:
        raise ImportFileError("file.no_header", file=path.name)
    header_row, headers = found
    source = SheetSource(
        path=path,
        kind=kind,
        headers=headers,
        header_row=header_row,
        sheet=chosen,
        encoding=encoding,
        delimiter=delimiter,
        sheet_names=names,
        reader=reader,
        _opener=opener,
    )
    if next(iter(source.rows()), None) is None:
        raise ImportFileError("file.header_only", file=path.name)
    return source


def _guarded_head(path: Path, opener: Callable[[], Iterator[tuple]]) -> list[tuple[Any, ...]]:
    try:
        return _head(opener, HEADER_SCAN_ROWS)
    except ImportFileError:
        raise
    except UnicodeDecodeError as exc:
        raise ImportFileError("file.encoding", file=path.name) from exc
    except (csv.Error, zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError) as exc:
        raise ImportFileError("file.damaged", file=path.name) from exc
