"""The member Import dialog: file -> column mapping -> preview -> import, nothing written before.

1. File: choose an .xlsx / .csv and the union the members join; the blank template can be saved.
2. Columns: each column of the sheet with the field it fills (guessed, remembered, changeable).
3. Check: every row validated in the background (progress, cancel); good rows, rows with errors
   (row, column, what) and duplicates (ID number in the file twice / already in the workspace) with
   the user's choice for them: update, skip (or keep both where the form allows it). The error
   report (.xlsx) is saved only when the user asks for it.
4. Import: chunks committed in the background with progress and Cancel; the result says what was
   imported (and, after Cancel, which rows were not).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import member_import as ei
from desktop.ui import operations
from desktop.ui.shortcuts import set_access_key
from desktop.ui.tasks import TaskHandle, TaskRunner, default_runner

if TYPE_CHECKING:
    from desktop.store import Workspace

MAX_SHOWN = 2000  # rows listed in the preview tables (the report holds every one)


def _lang() -> str:
    from desktop.ui.i18n import current_language

    return current_language()


class ImportDialog(QDialog):
    """See the module doc. ``file_chooser`` / ``save_chooser`` are swapped in tests."""

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        *,
        union_uuid: str | None = None,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner or default_runner()
        self.lang = _lang()
        self.opened: ei.OpenedSheet | None = None
        self.plan: ei.ImportPlan | None = None
        self.outcome: ei.ImportOutcome | None = None
        self.handle: TaskHandle | None = None
        self.setObjectName("ImportDialog")
        self.setWindowTitle(self.tr("Import members"))
        self.resize(860, 560)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._file_page())
        self.stack.addWidget(self._mapping_page())
        self.stack.addWidget(self._preview_page())
        self.stack.addWidget(self._result_page())
        self.message = QLabel(objectName="ImportMessage", wordWrap=True)
        self.message.setStyleSheet("color: #b00020")
        self.progress = QProgressBar()
        self.progress.hide()
        self.back_button = QPushButton()
        set_access_key(self.back_button, self.tr("Back"), "B")
        self.next_button = QPushButton()
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._fill_unions(union_uuid)
        self._show_step(0)

    # -- pages -----------------------------------------------------------------------------
    def _file_page(self) -> QWidget:
        page = QWidget()
        self.path_edit = QLineEdit(objectName="ImportPath")
        browse = QPushButton()
        set_access_key(browse, self.tr("Choose file…"), "F")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.union_combo = QComboBox(objectName="ImportUnion")
        self.template_button = QPushButton()
        set_access_key(self.template_button, self.tr("Save the blank template…"), "T")
        self.template_button.clicked.connect(self.save_template)
        form = QFormLayout(page)
        form.addRow(
            QLabel(
                self.tr(
                    "Choose a spreadsheet (Excel .xlsx / .xls, WPS .et, OpenDocument .ods) or a "
                    "CSV file with one member per row. "
                    "Nothing is saved until you confirm the checked rows."
                ),
                wordWrap=True,
            )
        )
        form.addRow(self.tr("File"), row)
        form.addRow(self.tr("Members join"), self.union_combo)
        form.addRow("", self.template_button)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        self.mapping_table = QTableWidget(0, 3, objectName="MappingTable")
        self.mapping_table.setHorizontalHeaderLabels(
            [self.tr("Column in the file"), self.tr("First value"), self.tr("Fills the field")]
        )
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping_table.verticalHeader().setVisible(False)
        self.sheet_label = QLabel(wordWrap=True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.sheet_label)
        layout.addWidget(self.mapping_table, 1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel(objectName="PreviewSummary", wordWrap=True)
        self.error_table = QTableWidget(0, 3, objectName="ErrorTable")
        self.error_table.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Column"), self.tr("What is wrong")]
        )
        self.error_table.horizontalHeader().setStretchLastSection(True)
        self.error_table.verticalHeader().setVisible(False)
        self.dup_table = QTableWidget(0, 3, objectName="DuplicateTable")
        self.dup_table.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("ID number"), self.tr("Same as")]
        )
        self.dup_table.horizontalHeader().setStretchLastSection(True)
        self.dup_table.verticalHeader().setVisible(False)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.error_table, self.tr("Rows with errors"))
        dup_page = QWidget()
        dup_layout = QVBoxLayout(dup_page)
        self.policy_group = QButtonGroup(self)
        policy_row = QHBoxLayout()
        policy_row.addWidget(QLabel(self.tr("Duplicates:")))
        for key, text in (
            ("skip", self.tr("Skip them")),
            ("update", self.tr("Update the member already saved")),
            ("keep_both", self.tr("Keep both")),
        ):
            button = QRadioButton(text, objectName=f"Policy_{key}")
            button.setProperty("policy", key)
            self.policy_group.addButton(button)
            policy_row.addWidget(button)
            if key == "skip":
                button.setChecked(True)
        policy_row.addStretch(1)
        dup_layout.addLayout(policy_row)
        dup_layout.addWidget(self.dup_table, 1)
        self.tabs.addTab(dup_page, self.tr("Duplicates"))
        self.match_table = QTableWidget(0, 4, objectName="MatchTable")
        self.match_table.setHorizontalHeaderLabels(
            [
                self.tr("Row"),
                self.tr("Compared with the saved member"),
                self.tr("Member"),
                self.tr("Columns that differ"),
            ]
        )
        self.match_table.horizontalHeader().setStretchLastSection(True)
        self.match_table.verticalHeader().setVisible(False)
        self.tabs.addTab(self.match_table, self.tr("Already saved"))
        contra_page = QWidget()
        contra_layout = QVBoxLayout(contra_page)
        self.contra_group = QButtonGroup(self)
        contra_row = QHBoxLayout()
        contra_row.addWidget(QLabel(self.tr("Gender or birth date contradicting the ID number:")))
        for key, text in (
            ("use_id", self.tr("Take the ID number's value")),
            ("exclude", self.tr("Leave the row out")),
        ):
            button = QRadioButton(text, objectName=f"Contradiction_{key}")
            button.setProperty("contradictions", key)
            self.contra_group.addButton(button)
            contra_row.addWidget(button)
            if key == "use_id":
                button.setChecked(True)
        contra_row.addStretch(1)
        contra_layout.addLayout(contra_row)
        self.contra_table = QTableWidget(0, 4, objectName="ContradictionTable")
        self.contra_table.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Column"), self.tr("As typed"), self.tr("From the ID number")]
        )
        self.contra_table.horizontalHeader().setStretchLastSection(True)
        self.contra_table.verticalHeader().setVisible(False)
        contra_layout.addWidget(self.contra_table, 1)
        self.tabs.addTab(contra_page, self.tr("Contradicting the ID number"))
        self.report_button = QPushButton()
        set_access_key(self.report_button, self.tr("Save error report…"), "R")
        self.report_button.clicked.connect(self.save_report)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.report_button)
        layout.addLayout(row)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        self.result_label = QLabel(objectName="ImportResult", wordWrap=True)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.result_report_button = QPushButton()
        set_access_key(self.result_report_button, self.tr("Save error report…"), "R")
        self.result_report_button.clicked.connect(self.save_report)
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_label, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.result_report_button)
        layout.addLayout(row)
        return page

    # -- choosing files (overridable in tests) ---------------------------------------------
    def file_chooser(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import members"),
            "",
            self.tr("Spreadsheets (*.xlsx *.xlsm *.xls *.et *.ods *.csv)"),
        )
        return path

    def save_chooser(self, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save as"), suggested, self.tr("Excel workbook (*.xlsx)")
        )
        return path

    # -- steps -----------------------------------------------------------------------------
    def _fill_unions(self, selected: str | None) -> None:
        self.union_combo.clear()
        for rec in self.ws.records.query("union", order_by="created_at", limit=5000):
            name = rec.data.get("short_name") or rec.data.get("full_name") or rec.uuid[:8]
            self.union_combo.addItem(str(name), rec.uuid)
        if selected:
            self.union_combo.setCurrentIndex(max(self.union_combo.findData(selected), 0))

    def _show_step(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.back_button.setEnabled(step in (1, 2))
        self.next_button.setVisible(step < 3)
        labels = {
            0: (self.tr("Next"), "N"),
            1: (self.tr("Check rows"), "K"),
            2: (self.tr("Import"), "I"),
        }
        if step in labels:
            set_access_key(self.next_button, *labels[step])
        set_access_key(
            self.cancel_button, self.tr("Close") if step == 3 else self.tr("Cancel"), "C"
        )
        if step == 2 and self.plan is not None:
            self.next_button.setEnabled(self.plan.good_count > 0)
        else:
            self.next_button.setEnabled(True)

    def browse(self) -> None:
        path = self.file_chooser()
        if path:
            self.path_edit.setText(path)

    def set_error(self, text: str) -> None:
        self.message.setText(text)

    def back(self) -> None:
        self.set_error("")
        self._show_step(max(self.stack.currentIndex() - 1, 0))

    def next(self) -> None:
        step = self.stack.currentIndex()
        self.set_error("")
        if step == 0:
            self.open_file()
        elif step == 1:
            self.check_rows()
        elif step == 2:
            self.run_import()

    def open_file(self) -> bool:
        path = self.path_edit.text().strip()
        if not path:
            self.set_error(self.tr("Choose the file to import."))
            return False
        if self.union_combo.currentData() is None:
            self.set_error(self.tr("Enter the union first: members are imported into a union."))
            return False
        try:
            self.opened = operations.open_member_sheet(Path(path), self.ws).now()
        except ei.ImportFileError as exc:
            self.set_error(ei.file_message(exc.code, self.lang, **exc.params))
            return False
        self._fill_mapping()
        self._show_step(1)
        return True

    def _fill_mapping(self) -> None:
        assert self.opened is not None
        src = self.opened.source
        where = f"{src.path.name}" + (f" / {src.sheet}" if src.sheet else "")
        self.sheet_label.setText(
            self.tr("%1: header in row %2. Check which field each column fills.")
            .replace("%1", where)
            .replace("%2", str(src.header_row))
        )
        first = next(iter(src.rows()), (0, ()))[1]
        form = self.opened.form
        self.mapping_table.setRowCount(len(self.opened.headers))
        for col, header in enumerate(self.opened.headers):
            self.mapping_table.setItem(col, 0, QTableWidgetItem(header))
            sample = first[col] if col < len(first) else ""
            fld_id = self.opened.mapping[col]
            shown = "" if sample is None else str(sample)
            if fld_id and form.field(fld_id).sensitive:
                shown = "…"  # personal data is not shown while mapping
            self.mapping_table.setItem(col, 1, QTableWidgetItem(shown[:30]))
            combo = QComboBox()
            combo.addItem(self.tr("(not imported)"), None)
            for field_id in self.opened.index.fields:
                label = form.field(field_id).label
                combo.addItem(label.get(self.lang) or label.get("zh_CN", field_id), field_id)
            combo.setCurrentIndex(max(combo.findData(fld_id), 0))
            self.mapping_table.setCellWidget(col, 2, combo)

    def mapping(self) -> list[str | None]:
        out: list[str | None] = []
        for col in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(col, 2)
            out.append(combo.currentData() if isinstance(combo, QComboBox) else None)
        return out

    def set_mapping(self, column: int, field_id: str | None) -> None:
        combo = self.mapping_table.cellWidget(column, 2)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(max(combo.findData(field_id), 0))

    def check_rows(self) -> None:
        assert self.opened is not None
        mapping = self.mapping()
        used = [f for f in mapping if f]
        if len(used) != len(set(used)):
            self.set_error(self.tr("Two columns fill the same field: choose one of them."))
            return
        opened, union = self.opened, self.union_combo.currentData()

        self._start(operations.check_import(self.ws, opened, union, mapping), self._checked)

    def _checked(self, plan: ei.ImportPlan) -> None:
        if plan.cancelled:
            self.set_error(self.tr("Checking was cancelled."))
            return
        self.plan = plan
        self.summary.setText(
            self.tr("%1 rows: %2 can be imported, %3 have errors, %4 duplicates.")
            .replace("%1", f"{plan.total_rows:,}")
            .replace("%2", f"{plan.good_count:,}")
            .replace("%3", f"{plan.error_count:,}")
            .replace("%4", f"{len(plan.duplicates):,}")
        )
        counts = plan.class_counts()
        if plan.matches or counts["repeat"] or plan.contradictions:
            self.summary.setText(
                self.summary.text()
                + "\n"
                + self.tr(
                    "Of the good rows: %1 new, %2 unchanged, %3 changed, %4 conflicting, "
                    "%5 repeated in the file; %6 contradict their ID number."
                )
                .replace("%1", f"{counts['new']:,}")
                .replace("%2", f"{counts['unchanged']:,}")
                .replace("%3", f"{counts['changed']:,}")
                .replace("%4", f"{counts['conflicting']:,}")
                .replace("%5", f"{counts['repeat']:,}")
                .replace("%6", f"{len(plan.contradictions):,}")
            )
        self._fill_errors(plan)
        self._fill_duplicates(plan)
        self._fill_matches(plan)
        self._fill_contradictions(plan)
        unique = self.opened is not None and self.opened.form.field("id_number").unique
        keep = self.policy_button("keep_both")
        keep.setEnabled(not unique)
        keep.setToolTip(self.tr("ID numbers must be unique in the workspace") if unique else "")
        if unique and keep.isChecked():
            self.policy_button("skip").setChecked(True)
        self.report_button.setEnabled(plan.error_count > 0)
        self.tabs.setCurrentIndex(0 if plan.error_count or not plan.duplicates else 1)
        self._show_step(2)

    def _fill_errors(self, plan: ei.ImportPlan) -> None:
        lines = [(row, e) for row in sorted(plan.errors) for e in plan.errors[row]][:MAX_SHOWN]
        self.error_table.setRowCount(len(lines))
        for i, (row, err) in enumerate(lines):
            column = f"{err.column} ({err.letter})" if err.letter else err.column
            for c, text in enumerate(
                (str(row), column, ei.row_message(err.code, self.lang, **err.params))
            ):
                self.error_table.setItem(i, c, QTableWidgetItem(text))
        self.error_table.resizeColumnsToContents()

    def _fill_duplicates(self, plan: ei.ImportPlan) -> None:
        dups = plan.duplicates[:MAX_SHOWN]
        self.dup_table.setRowCount(len(dups))
        for i, d in enumerate(dups):
            if d.kind == "file":
                other = self.tr("row %1 of this file").replace("%1", str(d.other_row))
            else:
                other = self.tr("member %1 already saved").replace("%1", d.existing_name)
            for c, text in enumerate((str(d.row), d.id_masked, other)):
                self.dup_table.setItem(i, c, QTableWidgetItem(text))
        self.dup_table.resizeColumnsToContents()

    def _fill_matches(self, plan: ei.ImportPlan) -> None:
        kinds = {
            "unchanged": self.tr("unchanged"),
            "changed": self.tr("changed"),
            "conflicting": self.tr("another name under this ID number"),
        }
        matches = [plan.matches[r] for r in sorted(plan.matches)][:MAX_SHOWN]
        self.match_table.setRowCount(len(matches))
        for i, m in enumerate(matches):
            cells = (str(m.row), kinds.get(m.kind, m.kind), m.existing_name, "、".join(m.columns))
            for c, text in enumerate(cells):
                self.match_table.setItem(i, c, QTableWidgetItem(text))
        self.match_table.resizeColumnsToContents()

    def _fill_contradictions(self, plan: ei.ImportPlan) -> None:
        lines = [c for row in sorted(plan.contradictions) for c in plan.contradictions[row]]
        lines = lines[:MAX_SHOWN]
        self.contra_table.setRowCount(len(lines))
        for i, c in enumerate(lines):
            column = f"{c.column} ({c.letter})" if c.letter else c.column
            for k, text in enumerate((str(c.row), column, c.typed, c.from_id)):
                self.contra_table.setItem(i, k, QTableWidgetItem(text))
        self.contra_table.resizeColumnsToContents()

    def contradictions(self) -> str:
        checked = self.contra_group.checkedButton()
        return str(checked.property("contradictions")) if checked else "use_id"

    def policy_button(self, key: str) -> QRadioButton:
        for button in self.policy_group.buttons():
            if button.property("policy") == key:
                return button  # type: ignore[return-value]
        raise KeyError(key)

    def policy(self) -> str:
        checked = self.policy_group.checkedButton()
        return str(checked.property("policy")) if checked else "skip"

    def run_import(self) -> None:
        assert self.plan is not None
        plan, policy, contradictions = self.plan, self.policy(), self.contradictions()

        self._start(
            operations.import_members(self.ws, plan, policy, contradictions=contradictions),
            self._imported,
        )

    def _imported(self, outcome: ei.ImportOutcome) -> None:
        self.outcome = outcome
        lines = [
            self.tr("%1 new members saved, %2 updated.")
            .replace("%1", f"{outcome.created:,}")
            .replace("%2", f"{outcome.updated:,}")
        ]
        if outcome.unchanged:
            lines.append(
                self.tr("%1 rows equal to the saved member: nothing written.").replace(
                    "%1", f"{len(outcome.unchanged):,}"
                )
            )
        if outcome.skipped:
            lines.append(
                self.tr("%1 rows skipped (see the error report for why).").replace(
                    "%1", f"{len(outcome.skipped):,}"
                )
            )
        if outcome.failed:
            lines.append(self.tr("%1 rows refused.").replace("%1", f"{len(outcome.failed):,}"))
        if self.plan is not None and self.plan.error_count:
            lines.append(
                self.tr("%1 rows with errors were not imported.").replace(
                    "%1", f"{self.plan.error_count:,}"
                )
            )
        if outcome.cancelled:
            ranges = ", ".join(
                f"{a}–{b}" if a != b else str(a) for a, b in outcome.written_ranges()[:10]
            )
            lines.append(
                self.tr("Cancelled: rows %1 were imported; %2 rows were not.")
                .replace("%1", ranges or "—")
                .replace("%2", f"{outcome.not_reached:,}")
            )
        self.result_label.setText("\n".join(lines))
        has_report = bool(
            (self.plan and self.plan.error_count)
            or outcome.failed
            or outcome.skipped
            or outcome.cancelled
        )
        self.result_report_button.setEnabled(has_report)
        self._show_step(3)

    # -- background work -----------------------------------------------------------------
    def _start(self, op: operations.WorkspaceOp[Any], done: Any) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)

        def progressed(n: int, total: int) -> None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(min(n, max(total, 1)))

        def finished(result: Any) -> None:
            self.handle = None
            self.progress.hide()
            self._show_step(self.stack.currentIndex())
            done(result)

        def failed(exc: BaseException) -> None:
            self.handle = None
            self.progress.hide()
            self._show_step(self.stack.currentIndex())
            if isinstance(exc, ei.ImportFileError):
                self.set_error(ei.file_message(exc.code, self.lang, **exc.params))
            else:
                from desktop.ui.errors_text import store_error_text

                self.set_error(store_error_text(exc))

        self.handle = (
            op.success(finished).failure(failed).progress(progressed).with_runner(self.runner).run()
        )

    def cancel(self) -> None:
        """Stop the running check or import (committed chunks stay), or close the dialog."""
        if self.handle is not None and not self.handle.finished:
            self.handle.cancel()
            self.set_error(self.tr("Cancelling…"))
            return
        if self.stack.currentIndex() == 3:
            self.accept()
        else:
            self.reject()

    def save_template(self) -> None:
        path = self.save_chooser(self.tr("member import template") + ".xlsx")
        if path:
            try:
                operations.write_member_template(path, self.ws, self.lang).now()
            except OSError as exc:
                self.set_error(str(exc))

    def save_report(self) -> Path | None:
        if self.plan is None:
            return None
        suffix = self.tr("errors")
        name = f"{self.plan.source.path.stem}_{suffix}.xlsx"
        path = self.save_chooser(str(self.plan.source.path.with_name(name)))
        if not path:
            return None
        try:
            return operations.write_import_errors(self.plan, path, self.outcome, self.lang).now()
        except OSError as exc:
            self.set_error(str(exc))
            return None
