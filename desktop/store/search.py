"""Search indexes of the records table (all inside the encrypted database).

- ``search_tri``: FTS5 trigram over the text of a form's ``contains`` fields (queries of 3+
  characters, any position, case-insensitive).
- ``search_gram``: FTS5 over the 1- and 2-character grams of the same text, so a 2-character
  Chinese name fragment (张三) or a surname (王) is an indexed lookup too.
- ``record_keys`` (one B-tree, no rowid): one row per keyed field (ID numbers, phones,
  references, sortable names) for
  exact and prefix lookups, filters and ``order_by`` paging.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlcipher3

from desktop.store.formdefs import StorageSpec

PREFIX_LIKE = re.compile(r"^[0-9A-Za-z]+$")
MAX_KEY = "\U0010ffff"


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | dict):
        return ""
    return str(value)


def text_of(spec: StorageSpec, data: Mapping[str, Any]) -> str:
    return "\n".join(t for f in spec.contains if (t := _scalar_text(data.get(f)).lower()))


def grams_of(text: str) -> str:
    """Space-separated unigrams and bigrams of each line (the short-query index)."""
    out: set[str] = set()
    for part in text.split():
        chars = [c for c in part if c.isalnum()]
        out.update(chars)
        out.update(a + b for a, b in zip(chars, chars[1:], strict=False))
    return " ".join(sorted(out))


def _key_rows(
    spec: StorageSpec, rec: int, form_id: str, data: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    rows = []
    for f, mode in spec.keyed.items():
        v = _scalar_text(data.get(f))
        if v or mode == "sort":  # sort keys exist for every record (ordered paging walks them)
            rows.append((form_id, f, v, rec))
    return rows


def index_many(
    conn: sqlcipher3.Connection, spec: StorageSpec, items: list[tuple[int, str, Mapping[str, Any]]]
) -> None:
    """Index rows of fresh (or just unindexed) records: (record id, form id, data) each."""
    tri, gram, keys = [], [], []
    for rec, form_id, data in items:
        text = text_of(spec, data)
        if text:
            tri.append((rec, text))
            gram.append((rec, grams_of(text)))
        keys.extend(_key_rows(spec, rec, form_id, data))
    if tri:
        conn.executemany("INSERT INTO search_tri (rowid, text) VALUES (?, ?)", tri)
        conn.executemany("INSERT INTO search_gram (rowid, grams) VALUES (?, ?)", gram)
    if keys:
        conn.executemany(
            "INSERT OR IGNORE INTO record_keys (form_id, field_id, value, rec) VALUES (?, ?, ?, ?)",
            keys,
        )


def unindex_many(
    conn: sqlcipher3.Connection, spec: StorageSpec, items: list[tuple[int, str, Mapping[str, Any]]]
) -> None:
    """Remove the index rows of records (record id, form id, the data they were indexed with)."""
    rows = [(rec,) for rec, _, _ in items]
    conn.executemany("DELETE FROM search_tri WHERE rowid = ?", rows)
    conn.executemany("DELETE FROM search_gram WHERE rowid = ?", rows)
    keys = [k for rec, form_id, data in items for k in _key_rows(spec, rec, form_id, data)]
    conn.executemany(
        "DELETE FROM record_keys WHERE form_id = ? AND field_id = ? AND value = ? AND rec = ?", keys
    )


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def search_clause(form_id: str, spec: StorageSpec, search: str) -> tuple[str, list[Any]]:
    """SQL (``r.id IN (...)``) and parameters matching ``search`` for this form."""
    s = " ".join(search.split()).lower()
    parts: list[str] = []
    params: list[Any] = []
    if spec.contains and s:
        if len(s) >= 3:
            parts.append("SELECT rowid FROM search_tri WHERE search_tri MATCH ?")
            params.append(_phrase(s))
        else:
            grams = grams_of(s).split()
            wanted = s.replace(" ", "")
            gram = wanted if wanted in grams else (grams[0] if grams else "")
            if gram:
                parts.append("SELECT rowid FROM search_gram WHERE search_gram MATCH ?")
                params.append(_phrase(gram))
    if spec.prefix and PREFIX_LIKE.match(s):
        up = s.upper()
        marks = ",".join("?" * len(spec.prefix))
        parts.append(
            f"SELECT rec FROM record_keys WHERE form_id = ? AND field_id IN ({marks})"
            " AND value >= ? AND value < ?"
        )
        params.extend([form_id, *spec.prefix, up, up + MAX_KEY])
    if spec.exact and s:
        marks = ",".join("?" * len(spec.exact))
        parts.append(
            f"SELECT rec FROM record_keys WHERE form_id = ? AND field_id IN ({marks}) AND value IN (?, ?)"
        )
        params.extend([form_id, *spec.exact, " ".join(search.split()), s.upper()])
    if not parts:
        return "0", []
    return "r.id IN (" + " UNION ".join(parts) + ")", params


def exact_clause(form_id: str, field_id: str, value: Any) -> tuple[str, list[Any]]:
    return (
        "r.id IN (SELECT rec FROM record_keys WHERE form_id = ? AND field_id = ? AND value = ?)",
        [form_id, field_id, _scalar_text(value)],
    )


def json_path(field_id: str) -> str:
    return '$."' + field_id.replace('"', "") + '"'


def scalar_text(value: Any) -> str:
    return _scalar_text(value)


def all_keyed(specs: Iterable[StorageSpec]) -> set[str]:
    out: set[str] = set()
    for s in specs:
        out.update(s.keyed)
    return out
