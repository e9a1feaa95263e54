"""Personal values at rest: what is sealed, with which associated data, and the blind index.

A stored record keeps its shape: every value its form definition marks ``sensitive`` (top-level
fields and repeat-group row fields) is replaced by a value token (``sync/server/sensitive.py``)
bound to ``record|UUID|VERSION|PATH``, so a token moved to another record, version or field does
not open. Whole documents that may carry personal values (inbox messages, receipts, transfer
offers, relay items and their errors, province receipts) are sealed bound to ``KIND|ID``.

Each sensitive value also gets a blind-index row (``sensitive_index``): the keyed digest of the
value under its field id, so "this ID number already belongs to a member" is an equality lookup
(``domain/lookups.py``) and never needs the plaintext in the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from forms.masking import mask
from sync.protocol import canonical_json
from sync.server.sensitive import FieldCipher, is_token

SensitiveFields = Callable[[str, int], frozenset[str]]


def sensitive_paths(form: Any) -> frozenset[str]:
    """The sensitive field ids of a loaded form: ``id`` or ``group.id`` for repeat rows."""
    out: set[str] = set()
    for f in getattr(form, "fields", ()):
        if f.sensitive:
            out.add(f.id)
        for sub in f.fields:
            if sub.sensitive:
                out.add(f"{f.id}.{sub.id}")
    return frozenset(out)


def _record_aad(uuid_: str, version: int, path: str) -> str:
    return f"record|{uuid_}|{version}|{path}"


class Sealer:
    """Seals and opens what a server stores, under its :class:`FieldCipher`."""

    def __init__(
        self, cipher: FieldCipher | Callable[[], FieldCipher], sensitive_fields: SensitiveFields
    ) -> None:
        """``cipher``: a fixed one, or a function giving the current one (a running server
        follows ``rotate-key`` without a restart: ``keyring.KeyringWatcher``)."""
        self._cipher = cipher
        self._sensitive = sensitive_fields

    @property
    def cipher(self) -> FieldCipher:
        return self._cipher() if callable(self._cipher) else self._cipher

    # ---------------------------------------------------------------- records

    def _walk(self, record: Mapping[str, Any], change: Callable[[Any, str], Any]) -> dict[str, Any]:
        """A copy of ``record`` whose sensitive values are replaced by ``change(value, path)``."""
        fields = self._sensitive(str(record.get("form_id")), int(record.get("form_version") or 0))
        data = record.get("data")
        if not fields or not isinstance(data, Mapping):
            return dict(record)
        new_data = dict(data)
        for path in fields:
            group, _, sub = path.partition(".")
            if not sub:
                if new_data.get(path) not in (None, ""):
                    new_data[path] = change(new_data[path], path)
                continue
            rows = new_data.get(group)
            if isinstance(rows, list):
                new_rows = []
                for i, row in enumerate(rows):
                    if isinstance(row, Mapping) and row.get(sub) not in (None, ""):
                        row = {**row, sub: change(row[sub], f"{group}.{i}.{sub}")}
                    new_rows.append(row)
                new_data[group] = new_rows
        return {**record, "data": new_data}

    def open_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """``record`` as it was sent (tokens opened); :class:`SealError` if one does not open."""
        uuid_, version = str(record["uuid"]), int(record["version"])
        return self._walk(
            record,
            lambda v, p: (
                self.cipher.open_value(v, _record_aad(uuid_, version, p)) if is_token(v) else v
            ),
        )

    def masked_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A plaintext ``record`` with its sensitive values masked for display."""
        return self._walk(record, lambda v, _p: mask(v))

    def seal_for_storage(
        self, record: Mapping[str, Any]
    ) -> tuple[str, list[tuple[str, str, str, int, str]]]:
        """The ``records.content`` of a plaintext ``record`` and its blind-index rows
        ``(digest, field, record_uuid, version, form_id)``, in one pass over its values (the
        ingest path, revision 0004 and re-encryption). Values already sealed are kept."""
        uuid_, version = str(record["uuid"]), int(record["version"])
        form_id = str(record.get("form_id"))
        fields = self._sensitive(form_id, int(record.get("form_version") or 0))
        data = record.get("data")
        if not fields or not isinstance(data, Mapping):
            return canonical_json(record).decode("utf-8"), []
        index: dict[tuple[str, str], tuple[str, str, str, int, str]] = {}
        seal, blind = self.cipher.seal_value, self.cipher.blind_index
        prefix = f"record|{uuid_}|{version}|"

        def sealed(value: Any, field: str, path: str) -> Any:
            if value is None or value == "" or is_token(value):
                return value
            digest = blind(field, value)
            index[(digest, field)] = (digest, field, uuid_, version, form_id)
            return seal(value, prefix + path)

        new_data = dict(data)
        for path in fields:
            group, _, sub = path.partition(".")
            if not sub:
                if path in new_data:
                    new_data[path] = sealed(new_data[path], path, path)
                continue
            rows = new_data.get(group)
            if isinstance(rows, list):
                new_data[group] = [
                    {**row, sub: sealed(row[sub], sub, f"{group}.{i}.{sub}")}
                    if isinstance(row, Mapping) and sub in row
                    else row
                    for i, row in enumerate(rows)
                ]
        content = canonical_json({**record, "data": new_data}).decode("utf-8")
        return content, list(index.values())

    def open_content(self, content: str) -> dict[str, Any]:
        """The record stored as ``content``, as it was sent (its hash and signature hold)."""
        return self.open_record(json.loads(content))

    def digest(self, field: str, value: Any) -> str:
        """The blind index of ``value`` of ``field`` (for lookups)."""
        return self.cipher.blind_index(field, value)

    # ---------------------------------------------------------------- documents

    def seal_doc(self, kind: str, ident: str, plain: bytes) -> str:
        return self.cipher.seal_doc(plain, f"{kind}|{ident}")

    def open_doc(self, kind: str, ident: str, sealed: str | bytes) -> bytes:
        return self.cipher.open_doc(sealed, f"{kind}|{ident}")

    def seal_json(self, kind: str, ident: str, doc: Mapping[str, Any]) -> str:
        return self.seal_doc(kind, ident, canonical_json(doc))

    def open_json(self, kind: str, ident: str, sealed: str | bytes) -> Any:
        return json.loads(self.open_doc(kind, ident, sealed))
