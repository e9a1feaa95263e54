"""Reading .xlsx / .xlsm / .xls / .ods (and WPS .et) worksheets with python-calamine.

calamine (Rust) parses a worksheet far faster than openpyxl or the pure-Python streaming reader
of :mod:`import_xlsx` (see ``bench/bench_import.py``, which prints all three on the same file),
and it reads the Excel 97–2003 ``.xls`` binary format and OpenDocument ``.ods``. Rows come out
as tuples of plain values as the rest of the import expects: text, int (a whole number), float,
bool, ``datetime.datetime`` for date-formatted cells, ``None`` for an empty
cell; numbered from row 1 and column A as the spreadsheet program shows them (calamine starts
its grid at the first used column, so empty leading columns are put back).
"""

from __future__ import annotations

import datetime as _dt
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop.reports.import_errors import ImportFileError


def _load(path: Path) -> Any:
    import python_calamine as pc

    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError as exc:
        raise ImportFileError("file.encrypted", file=path.name) from exc
    except Exception as exc:  # calamine raises its own error types for every unreadable file
        raise _unreadable(path) from exc


def _unreadable(path: Path) -> ImportFileError:
    with path.open("rb") as fh:
        ole = fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    return ImportFileError("file.legacy_xls" if ole else "file.damaged", file=path.name)


def sheet_names(path: Path) -> list[str]:
    """The workbook's worksheet names, in order (``file.damaged`` … when unreadable)."""
    return list(_load(path).sheet_names)


def _value(v: Any) -> Any:
    if v == "" and v.__class__ is str:
        return None
    if v.__class__ is float and v.is_integer() and abs(v) < 1e15:
        return int(v)
    if v.__class__ is _dt.date:  # a date cell, as the other readers give it
        return _dt.datetime(v.year, v.month, v.day)
    if isinstance(v, _dt.time | _dt.timedelta):
        return str(v)
    return v


#: (path, size, mtime, sheet) -> the reader holding that sheet parsed (weakly: the parsed sheet
#: lives as long as a reader holding it), so opening the same unchanged file again while its
#: first reader is alive (the command line opens it once to check it before asking for the
#: password, then with the workspace) does not parse it again
_PARSED: weakref.WeakValueDictionary[tuple[str, int, int, str], SheetRows] = (
    weakref.WeakValueDictionary()
)


def _key(path: Path, sheet: str) -> tuple[str, int, int, str] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, sheet)


class SheetRows:
    """Called, gives the rows of one sheet from row 1 (the sheet is parsed on the first call
    and kept for the next ones until one of them has read every row; another reader of the
    same unchanged file and sheet shares it meanwhile)."""

    def __init__(self, path: Path, sheet: str) -> None:
        self.path, self.sheet = path, sheet
        self._parsed: Any = None

    def _sheet(self) -> Any:
        if self._parsed is None:
            key = _key(self.path, self.sheet)
            holder = _PARSED.get(key) if key is not None else None
            if holder is not None and holder._parsed is not None:
                self._parsed = holder._parsed
            else:
                book = _load(self.path)
                try:
                    self._parsed = book.get_sheet_by_name(self.sheet)
                except Exception as exc:
                    raise _unreadable(self.path) from exc
                if key is not None:
                    _PARSED[key] = self
        return self._parsed

    def row_count(self) -> int:
        """The number of rows up to the last used one (for progress)."""
        ws = self._sheet()
        return int(ws.end[0]) + 1 if ws.end else 0

    def __call__(self) -> Iterator[tuple[Any, ...]]:
        ws = self._sheet()
        lead = (None,) * (ws.start[1] if ws.start else 0)
        for raw in ws.iter_rows():
            # most cells are text: kept as they are without a call per cell
            values = [v if v.__class__ is str and v else _value(v) for v in raw]
            while values and values[-1] is None:
                values.pop()
            yield (lead + tuple(values)) if values else ()
        self._parsed = (
            None  # read to the end: the parsed sheet is not kept (a next call parses again)
        )


def opener(path: Path, sheet: str) -> Callable[[], Iterator[tuple[Any, ...]]]:
    """The rows of ``sheet`` (see :class:`SheetRows`)."""
    return SheetRows(path, sheet)
