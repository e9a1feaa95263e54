"""The membership-change history (会籍变化) as one spreadsheet cell, and back.

A member's ``changes`` rows become one line each, their fields in the form's order joined by
`` | `` (e.g. ``入会 | 2019-03-01 | 新入职``); a ``|``, ``\\`` or line break inside a value is
escaped with a backslash, so export followed by import gives back exactly the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from desktop.reports.import_values import CellIssue

SEPARATOR = " | "
_SPLIT = re.compile(r"(?<!\\)\|")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "\\n")


def _unescape(text: str) -> str:
    out: list[str] = []
    it = iter(text)
    for ch in it:
        if ch == "\\":
            nxt = next(it, "")
            out.append("\n" if nxt == "n" else nxt)
        else:
            out.append(ch)
    return "".join(out)


def _split(line: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in line:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return [_unescape(p.strip()) for p in parts]


def format_changes(
    rows: Sequence[dict[str, Any]] | None, field_ids: Sequence[str], label=None
) -> str:
    """The rows as text; ``label(field_id, value)`` may turn a choice value into its label."""
    lines: list[str] = []
    for row in rows or ():
        parts: list[str] = []
        for fid in field_ids:
            value = row.get(fid)
            if value is None:
                text = ""
            elif label is not None:
                text = label(fid, value)
            else:
                text = str(value)
            parts.append(_escape(text))
        while parts and parts[-1] == "":
            parts.pop()
        lines.append(SEPARATOR.join(parts))
    return "\n".join(lines)


def parse_changes(text: Any, field_ids: Sequence[str]) -> list[dict[str, str]] | CellIssue | None:
    """Rows from the cell text (``None`` for a blank cell); a :class:`CellIssue` when unreadable."""
    if text is None or not str(text).strip():
        return None
    rows: list[dict[str, str]] = []
    for number, line in enumerate(str(text).replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        parts = _split(line)
        if len(parts) > len(field_ids):
            return CellIssue("import.changes_unreadable", {"line": number})
        rows.append({fid: part for fid, part in zip(field_ids, parts, strict=False) if part != ""})
    return rows or None
