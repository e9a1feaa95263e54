"""The form definitions a server validates with: the shipped set plus published ones.

The server re-validates every record with ``forms.validate`` and the definition of the record's
own form id + version, exactly like the desktop did.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

import forms
from sync.server.config import ServerSetupError
from sync.server.domain import audit_log
from sync.server.store import Store, now_iso
from sync.server.tables import form_definitions


class FormSet:
    """Definitions by (form_id, version); loaded once, extended by ``publish``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._forms: dict[tuple[str, int], Any] = {}
        for form_id, version in forms.available_forms():
            form = forms.load_form(form_id, version=version)
            self._forms[(form.id, form.version)] = form
        self.refresh()

    def refresh(self) -> None:
        """Load definitions published since (e.g. by ``uniondesk-server publish-form`` in
        another process while this server runs)."""
        with self._store.read() as conn:
            rows = list(
                conn.execute(select(form_definitions.c.form_id, form_definitions.c.version))
            )
            missing = [
                (r.form_id, r.version) for r in rows if (r.form_id, r.version) not in self._forms
            ]
            for form_id, version in missing:
                row = conn.execute(
                    select(form_definitions.c.definition).where(
                        form_definitions.c.form_id == form_id,
                        form_definitions.c.version == version,
                    )
                ).one()
                form = forms.load_form_dict(
                    json.loads(row.definition), source=f"server:{form_id}@{version}"
                )
                with self._lock:
                    self._forms[(form.id, form.version)] = form

    def get(self, form_id: str, version: int) -> Any | None:
        form = self._forms.get((form_id, version))
        if form is None:
            self.refresh()
            form = self._forms.get((form_id, version))
        return form

    def keys(self) -> list[tuple[str, int]]:
        return sorted(self._forms)

    def latest_definitions(self) -> list[Mapping[str, Any]]:
        """Every known definition (all versions), oldest version first: what devices receive."""
        self.refresh()
        return [self._forms[key].raw for key in sorted(self._forms)]

    def publish(self, raw: Mapping[str, Any], actor: str = "admin") -> Any:
        """Validate and store a new definition (raises forms.DefinitionError if invalid); a new
        one gets an audit-log entry in the same transaction."""
        form = forms.load_form_dict(dict(raw), source="publish")
        with self._lock, self._store.write() as conn:
            exists = conn.execute(
                select(form_definitions.c.hash).where(
                    form_definitions.c.form_id == form.id,
                    form_definitions.c.version == form.version,
                )
            ).first()
            if exists is not None and exists.hash != form.hash:
                raise ServerSetupError(
                    f"{form.id} version {form.version} is already published with other content; "
                    "give the changed form a new version number"
                )
            if exists is None:
                conn.execute(
                    form_definitions.insert().values(
                        form_id=form.id,
                        version=form.version,
                        hash=form.hash,
                        definition=json.dumps(form.raw, ensure_ascii=False),
                        published_at=now_iso(),
                    )
                )
                audit_log.append(conn, "form_published", actor, form.id, {"version": form.version})
            self._forms[(form.id, form.version)] = form
        return form


def validation_errors(
    form: Any, data: Mapping[str, Any], status: Any = None
) -> list[dict[str, Any]]:
    """Error dicts ``{"code", "field", "params"}`` of ``forms.validate``; empty when valid.

    ``status`` is the record's status on the wire: anything but "draft" (a missing one too) is
    final, so derived results (an assessment's result, a signed-off checklist) must be there
    and agree with what forms/ computes from the record's inputs (forms/derived.py)."""
    result = forms.validate(form, dict(data), final=status != "draft")
    return [
        {"code": e.code, "field": e.field, "params": _jsonable(dict(e.params or {}))}
        for e in result.errors
    ]


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str | int | bool) or value is None:
            out[key] = value
        elif isinstance(value, list | tuple) and all(isinstance(v, str | int) for v in value):
            out[key] = list(value)
        else:
            out[key] = str(value)
    return out
