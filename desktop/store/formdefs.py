"""Form definitions the workspace knows: shipped ones (``forms.load_form``) and synced ones
(stored in the encrypted ``form_definitions`` table), and what each means for storage:
which fields are searched by substring, by prefix or exactly, which are sensitive (masked).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlcipher3

from desktop.store import audit, errors

KEY_TYPES = {"reference", "resident_id", "id_document", "mobile", "uscc"}


@dataclass(frozen=True)
class StorageSpec:
    """How the store indexes one form version's fields."""

    contains: tuple[str, ...]  # substring search (FTS5 trigram + short-query gram index)
    keyed: dict[str, str]  # field id -> "prefix" | "exact" | "ref" | "sort" (kept in record_keys)
    sensitive: frozenset[str]
    unique: tuple[str, ...]
    prefix: tuple[str, ...]  # fields a code-like search matches by prefix
    exact: tuple[str, ...]  # fields a code-like search matches exactly


def storage_spec(form: Any) -> StorageSpec:
    contains: list[str] = []
    keyed: dict[str, str] = {}
    sensitive: set[str] = set()
    unique: list[str] = []
    for f in form.fields:
        if f.type == "repeat":
            continue
        mode = getattr(f, "search_mode", None) or ("contains" if f.searchable else None)
        if mode == "contains":
            contains.append(f.id)
            keyed[f.id] = "sort"
        elif mode in ("prefix", "exact"):
            keyed[f.id] = mode
        if f.type in KEY_TYPES or f.sensitive or getattr(f, "unique", False):
            keyed.setdefault(f.id, "ref" if f.type == "reference" else "prefix")
        if f.sensitive:
            sensitive.add(f.id)
        if getattr(f, "unique", False):
            unique.append(f.id)
    prefix = tuple(k for k, m in keyed.items() if m == "prefix")
    exact = tuple(k for k, m in keyed.items() if m == "exact")
    return StorageSpec(tuple(contains), keyed, frozenset(sensitive), tuple(unique), prefix, exact)


class FormCatalog:
    """``ws.forms``: shipped definitions plus those received by sync (newest version wins)."""

    def __init__(self, connection: Callable[[], sqlcipher3.Connection], on_add: Any = None) -> None:
        self._connection = connection
        self._cache: dict[tuple[str, int], Any] = {}
        self._specs: dict[tuple[str, int], StorageSpec] = {}
        self._on_add = on_add

    @staticmethod
    def _forms() -> Any:
        import forms

        return forms

    def add(self, raw_definition: dict[str, Any], *, source: str = "sync") -> Any:
        """Check and keep a definition received by sync; returns the loaded form."""
        form = self._forms().load_form_dict(raw_definition, source=source)
        text = audit.canonical(form.raw).decode()
        if self._on_add is not None:
            self._on_add(form, text)
        self._cache[(form.id, form.version)] = form
        return form

    def _synced_versions(self, form_id: str) -> list[int]:
        return [
            r[0]
            for r in self._connection().execute(
                "SELECT version FROM form_definitions WHERE form_id = ? ORDER BY version",
                (form_id,),
            )
        ]

    def get(self, form_id: str, version: int | None = None) -> Any:
        """The definition of ``form_id`` at ``version`` (latest when None)."""
        if version is None:
            return self.latest(form_id)
        key = (form_id, version)
        if key in self._cache:
            return self._cache[key]
        row = (
            self._connection()
            .execute("SELECT raw FROM form_definitions WHERE form_id = ? AND version = ?", key)
            .fetchone()
        )
        forms = self._forms()
        try:
            if row:
                form = forms.load_form_dict(json.loads(row[0]), source=f"workspace:{form_id}")
            else:
                form = forms.load_form(form_id, version=version)
        except (KeyError, FileNotFoundError, LookupError) as exc:
            raise errors.UnknownForm(
                f"No definition of form {form_id!r} version {version}."
            ) from exc
        self._cache[key] = form
        return form

    def latest(self, form_id: str) -> Any:
        """The newest version of ``form_id``, shipped or synced."""
        forms = self._forms()
        shipped: Any = None
        try:
            shipped = forms.load_form(form_id)
        except (KeyError, FileNotFoundError, LookupError):
            shipped = None
        synced = self._synced_versions(form_id)
        if synced and (shipped is None or synced[-1] > shipped.version):
            return self.get(form_id, synced[-1])
        if shipped is None:
            raise errors.UnknownForm(f"No form definition {form_id!r}.")
        self._cache.setdefault((form_id, shipped.version), shipped)
        return shipped

    def spec(self, form: Any) -> StorageSpec:
        key = (form.id, form.version)
        if key not in self._specs:
            self._specs[key] = storage_spec(form)
        return self._specs[key]
