"""Search indexes of the records table (all inside the encrypted database).

Per form (tables made on first use, so a search never has to check which form a hit is of):

- ``fts_tri_<form>``: FTS5 trigram over the text of the form's ``contains`` fields (queries of
  3+ characters, any position, case-insensitive).
- ``fts_gram_<form>``: FTS5 over the 1- and 2-character grams of the same text, so a
  2-character Chinese name fragment (张三) or a surname (王) is an indexed lookup too.

Shared:

- ``record_keys`` (one B-tree, no rowid): one row per keyed field (ID numbers, phones,
  references, sortable names) for
  exact and prefix lookups, filters and ``order_by`` paging. On a ``gm`` workspace the rows of
  sensitive fields hold HMAC-SM3 tokens instead (:mod:`desktop.store.field_cipher`), which is
  why every function here takes the workspace's cipher.
"""

from __future__ import annotations

import contextlib
import hashlib
import operator
import re
from collections.abc import Mapping
from typing import Any

import sqlcipher3

from desktop.store.field_cipher import PLAIN, FieldCipher
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


def text_of(spec: StorageSpec, data: Mapping[str, Any], cipher: FieldCipher = PLAIN) -> str:
    return "\n".join(
        t
        for f in spec.contains
        if not cipher.is_hidden(spec.sensitive, f) and (t := _scalar_text(data.get(f)).lower())
    )


def grams_of(text: str) -> str:
    """Space-separated unigrams and bigrams of each line (the short-query index)."""
    out: set[str] = set()
    for part in text.split():
        # a part of letters and digits only (most are) is its own list of characters
        chars = part if part.isalnum() else "".join(c for c in part if c.isalnum())
        out.update(chars)
        out.update(map(operator.add, chars, chars[1:]))  # the bigrams chars[i : i + 2]
    return " ".join(sorted(out))


def _key_rows(
    spec: StorageSpec, rec: int, form_id: str, data: Mapping[str, Any], cipher: FieldCipher
) -> list[tuple[Any, ...]]:
    rows = []
    for f, mode in spec.keyed.items():
        if cipher.is_hidden(spec.sensitive, f):
            rows.extend(cipher.sensitive_key_rows(rec, form_id, f, data.get(f)))
            continue
        v = _scalar_text(data.get(f))
        if v or mode == "sort":  # sort keys exist for every record (ordered paging walks them)
            rows.append((form_id, f, v, rec))
    return rows


def fts_names(form_id: str) -> tuple[str, str]:
    """The trigram and gram table names of a form."""
    tag = (
        form_id
        if re.fullmatch(r"[a-z][a-z0-9_]{0,40}", form_id)
        else ("h" + hashlib.sha256(form_id.encode()).hexdigest()[:16])
    )
    return f"fts_tri_{tag}", f"fts_gram_{tag}"


def ensure_fts(conn: sqlcipher3.Connection, form_id: str) -> tuple[str, str]:
    tri, gram = fts_names(form_id)
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {tri} USING fts5"
        " (text, tokenize = 'trigram', content = '', contentless_delete = 1)"
    )
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {gram} USING fts5"
        " (grams, tokenize = 'unicode61', content = '', contentless_delete = 1)"
    )
    return tri, gram


def has_fts(conn: sqlcipher3.Connection, form_id: str) -> bool:
    tri, _ = fts_names(form_id)
    return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (tri,)).fetchone())


def index_many(
    conn: sqlcipher3.Connection,
    spec: StorageSpec,
    items: list[tuple[int, str, Mapping[str, Any]]],
    cipher: FieldCipher = PLAIN,
) -> None:
    """Index rows of fresh (or just unindexed) records: (record id, form id, plain data) each.

    What depends on the spec and the cipher only (which fields are indexed, which are sealed)
    is decided once per call, not once per record and field."""
    sensitive = spec.sensitive
    contains = [f for f in spec.contains if not cipher.is_hidden(sensitive, f)]
    keyed = [(f, mode == "sort", cipher.is_hidden(sensitive, f)) for f, mode in spec.keyed.items()]
    texts: dict[str, list[tuple[int, str]]] = {}
    keys: list[tuple[Any, ...]] = []
    add_key = keys.append
    for rec, form_id, data in items:
        get = data.get
        text = "\n".join(
            t
            for f in contains
            if (t := (v if (v := get(f)).__class__ is str else _scalar_text(v)).lower())
        )
        if text:
            texts.setdefault(form_id, []).append((rec, text))
        for f, sort, hidden in keyed:
            v = get(f)
            if hidden:
                keys.extend(cipher.sensitive_key_rows(rec, form_id, f, v))
                continue
            if v.__class__ is not str:
                v = _scalar_text(v)
            if v or sort:  # sort keys exist for every record (ordered paging walks them)
                add_key((form_id, f, v, rec))
    for form_id, rows in texts.items():
        tri, gram = ensure_fts(conn, form_id)
        conn.executemany(f"INSERT INTO {tri} (rowid, text) VALUES (?, ?)", rows)
        conn.executemany(
            f"INSERT INTO {gram} (rowid, grams) VALUES (?, ?)", [(r, grams_of(t)) for r, t in rows]
        )
    if keys:
        with contextlib.suppress(TypeError):  # (values of one field are all text or all tokens)
            keys.sort()  # in the B-tree's order: the inserts walk it once, not at random
        conn.executemany(
            "INSERT OR IGNORE INTO record_keys (form_id, field_id, value, rec) VALUES (?, ?, ?, ?)",
            keys,
        )


def unindex_many(
    conn: sqlcipher3.Connection,
    spec: StorageSpec,
    items: list[tuple[int, str, Mapping[str, Any]]],
    cipher: FieldCipher = PLAIN,
) -> None:
    """Remove the index rows of records (record id, form id, the data they were indexed with)."""
    for form_id in {f for _, f, _ in items}:
        if has_fts(conn, form_id):
            tri, gram = fts_names(form_id)
            rows = [(rec,) for rec, f, _ in items if f == form_id]
            conn.executemany(f"DELETE FROM {tri} WHERE rowid = ?", rows)
            conn.executemany(f"DELETE FROM {gram} WHERE rowid = ?", rows)
    keys = [k for rec, form_id, data in items for k in _key_rows(spec, rec, form_id, data, cipher)]
    conn.executemany(
        "DELETE FROM record_keys WHERE form_id = ? AND field_id = ? AND value = ? AND rec = ?", keys
    )


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def search_ids(
    form_id: str, spec: StorageSpec, search: str, *, fts: bool, cipher: FieldCipher = PLAIN
) -> tuple[str, list[Any]]:
    """A compound SELECT of the ids of ``form_id`` records matching ``search`` (or ``""``)."""
    s = " ".join(search.split()).lower()
    parts: list[str] = []
    params: list[Any] = []
    tri, gram_table = fts_names(form_id)
    if fts and spec.contains and s:
        if len(s) >= 3:
            parts.append(f"SELECT rowid AS id FROM {tri} WHERE {tri} MATCH ?")
            params.append(_phrase(s))
        else:
            grams = grams_of(s).split()
            wanted = s.replace(" ", "")
            gram = wanted if wanted in grams else (grams[0] if grams else "")
            if gram:
                parts.append(f"SELECT rowid AS id FROM {gram_table} WHERE {gram_table} MATCH ?")
                params.append(_phrase(gram))
    hidden = [f for f in spec.keyed if cipher.is_hidden(spec.sensitive, f)]
    prefix = [f for f in spec.prefix if f not in hidden]
    exact = [f for f in spec.exact if f not in hidden]
    if prefix and PREFIX_LIKE.match(s):
        up = s.upper()
        marks = ",".join("?" * len(prefix))
        parts.append(
            f"SELECT rec AS id FROM record_keys WHERE form_id = ? AND field_id IN ({marks})"
            " AND value >= ? AND value < ?"
        )
        params.extend([form_id, *prefix, up, up + MAX_KEY])
    if exact and s:
        marks = ",".join("?" * len(exact))
        parts.append(
            f"SELECT rec AS id FROM record_keys WHERE form_id = ? AND field_id IN ({marks})"
            " AND value IN (?, ?)"
        )
        params.extend([form_id, *exact, " ".join(search.split()), s.upper()])
    if hidden and s:
        tokens = _hidden_tokens(form_id, spec, hidden, search, s, cipher)
        if tokens:
            marks = ",".join("?" * len(hidden))
            parts.append(
                f"SELECT rec AS id FROM record_keys WHERE form_id = ? AND field_id IN ({marks})"
                f" AND value IN ({','.join('?' * len(tokens))})"
            )
            params.extend([form_id, *hidden, *tokens])
    return " UNION ".join(parts), params


SHORT_DIGITS = re.compile(r"^[0-9Xx]+$")  # what a clerk types of an ID number or phone


def sealed_prefix_minimum(
    form_id: str, spec: StorageSpec, search: str | None, cipher: FieldCipher = PLAIN
) -> int:
    """How many characters ``search`` (the first digits of an ID number or phone) must have to
    reach this form's sealed prefix fields, when it has fewer; else 0. On a gm workspace the
    ID-number and phone prefixes have tokens from MIN_PREFIX characters on only (shorter ones
    would leak the frequency of each first digit, docs/CRYPTO.md), so such a search cannot
    find them there, though it does on intl: the search result says so (Members page, CLI)."""
    from desktop.store.field_cipher import MIN_PREFIX

    s = " ".join((search or "").split())  # as search_ids reads it
    if not s or len(s) >= MIN_PREFIX or not SHORT_DIGITS.match(s):
        return 0
    hidden = [f for f in spec.prefix if cipher.is_hidden(spec.sensitive, f)]
    return MIN_PREFIX if hidden else 0


def _hidden_tokens(
    form_id: str,
    spec: StorageSpec,
    hidden: list[str],
    search: str,
    s: str,
    cipher: FieldCipher,
) -> list[bytes]:
    """The tokens a search looks up in sealed fields: a prefix token (prefix fields, a
    code-like search of at least MIN_PREFIX characters) and exact tokens (exact fields)."""
    from desktop.store.field_cipher import MIN_PREFIX

    out: list[bytes] = []
    for f in hidden:
        if spec.keyed.get(f) == "prefix" and PREFIX_LIKE.match(s) and len(s) >= MIN_PREFIX:
            out.append(cipher.prefix_token(form_id, f, s))
        elif spec.keyed.get(f) == "exact":
            out.extend(
                {cipher.exact_token(form_id, f, t) for t in (" ".join(search.split()), s.upper())}
            )
    return out


def search_clause(
    form_id: str, spec: StorageSpec, search: str, *, fts: bool, cipher: FieldCipher = PLAIN
) -> tuple[str, list[Any]]:
    """SQL (``r.id IN (...)``) and parameters matching ``search`` for this form."""
    sub, params = search_ids(form_id, spec, search, fts=fts, cipher=cipher)
    if not sub:
        return "0", []
    return f"r.id IN ({sub})", params


def key_value(
    form_id: str, spec: StorageSpec, field_id: str, value: Any, cipher: FieldCipher = PLAIN
) -> Any:
    """What ``record_keys.value`` holds for an exact look-up of ``value`` (a token if sealed)."""
    if cipher.is_hidden(spec.sensitive, field_id):
        return cipher.exact_token(form_id, field_id, value)
    return _scalar_text(value)


def exact_clause(
    form_id: str,
    field_id: str,
    value: Any,
    spec: StorageSpec | None = None,
    cipher: FieldCipher = PLAIN,
) -> tuple[str, list[Any]]:
    lookup = key_value(form_id, spec, field_id, value, cipher) if spec else _scalar_text(value)
    return (
        "r.id IN (SELECT rec FROM record_keys WHERE form_id = ? AND field_id = ? AND value = ?)",
        [form_id, field_id, lookup],
    )


def json_path(field_id: str) -> str:
    return '$."' + field_id.replace('"', "") + '"'


def scalar_text(value: Any) -> str:
    return _scalar_text(value)
