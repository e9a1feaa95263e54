"""Member import from .xlsx / .csv: the one entry point the UI and the command line use.

Steps, each usable on its own (the UI shows a dialog between them):

1. :func:`open_member_sheet` — read the file's header and guess the column mapping (remembered
   mappings from the workspace settings win); raises :class:`ImportFileError` for files that
   cannot be imported (not a spreadsheet, password-protected, empty, header only …).
2. :func:`preview_import` — validate every row with the member form; nothing is written.
3. :func:`commit_import` — write the good rows chunk by chunk, with progress and
   cancel; duplicates updated / skipped as the user chose.
4. :func:`write_error_report` — the rejected rows as an .xlsx the user saves.

:func:`write_member_template` writes the blank template with the form's columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain.import_commit import POLICIES, commit_plan
from desktop.reports.import_mapping import (
    HeaderIndex,
    guess_mapping,
    remember_mapping,
    remembered_mapping,
)
from desktop.reports.import_messages import file_message, row_message
from desktop.reports.import_plan import (
    CONTRADICTION_POLICIES,
    ROW_CLASSES,
    CellError,
    Contradiction,
    Duplicate,
    ImportOutcome,
    ImportPlan,
    Match,
    build_plan,
)
from desktop.reports.import_read import ImportFileError, SheetSource, header_key, open_sheet
from desktop.reports.import_report import describe, write_error_report
from desktop.reports.import_template import write_template

if TYPE_CHECKING:
    from desktop.store import Workspace
    from desktop.store.bulk import RowValidator

__all__ = [
    "POLICIES",
    "CONTRADICTION_POLICIES",
    "CellError",
    "Contradiction",
    "Duplicate",
    "ImportFileError",
    "ImportOutcome",
    "ImportPlan",
    "Match",
    "ROW_CLASSES",
    "OpenedSheet",
    "commit_import",
    "describe",
    "file_message",
    "member_form",
    "open_member_sheet",
    "preview_import",
    "required_columns",
    "row_message",
    "write_error_report",
    "write_member_template",
]

FORM_ID = "member"
ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


@dataclass
class OpenedSheet:
    """A sheet ready for mapping: its source and the guessed field per column."""

    source: SheetSource
    form: Any
    index: HeaderIndex
    mapping: list[str | None]

    @property
    def headers(self) -> list[str]:
        return self.source.headers


def member_form(ws: Workspace | None = None) -> Any:
    """The member form the workspace uses (a synced newer version wins), else the shipped one."""
    if ws is not None:
        return ws.forms.latest(FORM_ID)
    import forms

    return forms.load_form(FORM_ID)


def required_columns(form: Any) -> list[str]:
    """Fields a sheet must have a column for: required, no default, not derived, always asked."""
    out = []
    for fld in form.fields:
        if fld.id == "union" or not fld.required:
            continue
        if fld.default is not None or fld.fill is not None or fld.calculate is not None:
            continue
        if fld.relevant is not None:
            continue
        out.append(fld.id)
    return out


def open_member_sheet(
    path: Path | str, ws: Workspace | None = None, *, sheet: str | None = None
) -> OpenedSheet:
    """Open ``path`` and guess its column mapping (see the module doc)."""
    form = member_form(ws)
    index = HeaderIndex(form)
    remembered = remembered_mapping(ws)

    def known(text: str) -> bool:
        return index.is_known(text) or header_key(text) in remembered

    source = open_sheet(path, known, sheet=sheet)
    mapping = guess_mapping(source.headers, index, remembered)
    return OpenedSheet(source, form, index, mapping)


def check_mapping(opened: OpenedSheet, mapping: list[str | None]) -> None:
    """Raise ``file.unmapped_required`` when a required column has no column in the file."""
    missing = [f for f in required_columns(opened.form) if f not in mapping]
    if missing:
        labels = "、".join(opened.form.field(f).label.get("zh_CN", f) for f in missing)
        raise ImportFileError(
            "file.unmapped_required", file=opened.source.path.name, columns=labels
        )


def _union_exists(ws: Workspace, union_uuid: str) -> bool:
    from desktop.store import errors

    try:
        rec = ws.records.get(union_uuid)
    except (errors.RecordNotFound, ValueError):
        return False
    return rec.form_id == "union"


def existing_lookup(ws: Workspace) -> Callable[[str], tuple[str, str] | None] | None:
    """ID number -> (uuid, name) of the member already in the workspace (indexed look-up)."""
    if ws is None or ws.records.count(FORM_ID) == 0:
        return None

    def lookup(id_number: str) -> tuple[str, str] | None:
        hits = ws.records.find_by_field(FORM_ID, "id_number", id_number)
        if not hits:
            return None
        return hits[0].uuid, str(hits[0].data.get("name") or "")

    return lookup


def preview_import(
    ws: Workspace,
    opened: OpenedSheet,
    union_uuid: str,
    mapping: list[str | None] | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportPlan:
    """Validate every row against the member form and find duplicates; writes nothing."""
    mapping = list(mapping if mapping is not None else opened.mapping)
    check_mapping(opened, mapping)
    if ws is not None and not _union_exists(ws, union_uuid):
        raise ImportFileError("file.no_union", union=union_uuid)
    validate: RowValidator | None = ws.records.validator(FORM_ID) if ws is not None else None
    if validate is not None and validate.form.hash != opened.form.hash:
        validate = None  # a newer definition arrived since the sheet was opened: check plainly
    return build_plan(
        opened.source,
        opened.form,
        mapping,
        union_uuid,
        existing=existing_lookup(ws),
        progress=progress,
        cancel=cancel,
        validate=validate,
        compare=ws.records.differing_fields if ws is not None else None,
    )


def commit_import(
    ws: Workspace,
    plan: ImportPlan,
    policy: str = "skip",
    *,
    remember: bool = True,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    contradictions: str = "use_id",
) -> ImportOutcome:
    """Write the confirmed plan (see :func:`desktop.domain.import_commit.commit_plan`)."""
    if remember:
        remember_mapping(ws, plan.source.headers, plan.mapping)
    return commit_plan(
        ws, plan, policy, progress=progress, cancel=cancel, contradictions=contradictions
    )


def write_member_template(
    path: Path | str, ws: Workspace | None = None, lang: str = "zh_CN"
) -> Path:
    """The blank member import template (.xlsx) with the member form's columns."""
    return write_template(path, member_form(ws), lang)
