"""The assessment session editor: meeting, turnout, the vote (typed totals or keyed ballots),
the live result, rectification items, save and print.

Entry mode follows the tab in front: "Typed totals" (a grid of items × grades) or "Ballot by
ballot" (:class:`desktop.ui.assessment_keying.BallotKeyer`; returned and invalid then follow the
ballots). The result is recomputed on every change with :mod:`forms.assessment` and shown with
the rule used; errors name the numbers (codes turned into words here, in the UI).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import assessments as ops
from desktop.domain.assessments import MEETING_KINDS, Session
from desktop.ui import operations
from desktop.ui.assessment_keying import BallotKeyer
from desktop.ui.assessment_rectifications import RectificationTable
from desktop.ui.assessment_result import ResultView
from desktop.ui.i18n import current_language, pick
from desktop.ui.shortcuts import set_access_key
from forms import assessment as rules
from forms.assessment import AssessmentResult, Template

if TYPE_CHECKING:
    from desktop.store import Workspace

TURNOUT = ("eligible", "attendees", "issued", "returned", "invalid")
MAX_COUNT = 1_000_000
READ_ONLY_STATUSES = ("queued", "delivered", "forwarded")


def field_errors_text(errors: list[Any]) -> str:
    """ "整改事项 第 1 行 · 整改期限：日期不存在" for each field error of a refused save."""
    import forms

    form = forms.load_form(ops.FORM_ID)
    parts = []
    for error in errors:
        top, _, rest = str(error.field).partition(".")
        name, _, index = top.partition("[")
        try:
            field = form.field(name)
            where = pick(field.label)
            if index:
                where += " " + QCoreApplication.translate("SessionEditor", "row %1").replace(
                    "%1", str(int(index.rstrip("]")) + 1)
                )
            if rest:
                sub = next((f for f in field.fields or [] if f.id == rest), None)
                where += " · " + (pick(sub.label) if sub else rest)
        except (KeyError, ValueError):
            where = str(error.field)
        words = forms.message(error.code, current_language(), **dict(error.params or {}))
        parts.append(f"{where}：{words}")
    return "；".join(parts)


class SessionEditor(QWidget):
    """Edit one session; :attr:`saved` fires with the stored :class:`Session`."""

    saved = Signal(object)
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws: Workspace | None = None
        self.template = rules.load_template()
        self.session = Session(union="", year=QDate.currentDate().year())
        self.last_result: AssessmentResult | None = None
        self.read_only = False
        self._loading = False
        self._dirty = False
        self._build()

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.union = QComboBox()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.kind = QComboBox()
        self.variant = QComboBox()
        self.variant.setObjectName("templateVariant")
        self.repeat_reason = QLineEdit()
        self.spins: dict[str, QSpinBox] = {}
        for name in TURNOUT:
            spin = QSpinBox()
            spin.setRange(0, MAX_COUNT)
            spin.setObjectName(name)
            self.spins[name] = spin
        self.meeting_box = QGroupBox()
        meeting = QFormLayout(self.meeting_box)
        self.meeting_labels = [QLabel() for _ in range(6)]
        for label, widget in zip(
            self.meeting_labels,
            (self.union, self.year, self.date, self.kind, self.variant, self.repeat_reason),
            strict=True,
        ):
            meeting.addRow(label, widget)
        self.turnout_box = QGroupBox()
        turnout = QFormLayout(self.turnout_box)
        self.turnout_labels = [QLabel() for _ in TURNOUT]
        for label, name in zip(self.turnout_labels, TURNOUT, strict=True):
            turnout.addRow(label, self.spins[name])

        self.tabs = QTabWidget()
        self.grid = QTableWidget()
        self.grid.verticalHeader().setVisible(True)
        self.keyer = BallotKeyer(self.template)
        self.tabs.addTab(self.grid, "")
        self.tabs.addTab(self.keyer, "")
        self.result_label = ResultView()

        self.rect_box = RectificationTable()

        self.status = QLabel()
        self.status.setObjectName("editorStatus")
        self.status.setWordWrap(True)
        self.save_button = QPushButton()
        self.back_button = QPushButton()
        self.copies = QSpinBox()
        self.copies.setRange(1, 2000)
        self.print_ballot = QPushButton()
        self.print_tally = QPushButton()
        self.print_notice = QPushButton()
        buttons = QHBoxLayout()
        for w in (self.back_button, self.save_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        for widget in (self.copies, self.print_ballot, self.print_tally, self.print_notice):
            buttons.addWidget(widget)

        top = QHBoxLayout()
        top.addWidget(self.meeting_box, 3)
        top.addWidget(self.turnout_box, 2)
        top.addWidget(self.result_label, 3)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addLayout(top)
        inner.addWidget(self.tabs, 3)
        inner.addWidget(self.rect_box, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        for spin in self.spins.values():
            spin.valueChanged.connect(self._changed)
        self.year.valueChanged.connect(self._changed)
        self.union.currentIndexChanged.connect(self._changed)
        self.repeat_reason.textChanged.connect(self._changed)
        self.date.dateChanged.connect(self._changed)
        self.kind.currentIndexChanged.connect(self._changed)
        self.variant.currentIndexChanged.connect(self._variant_changed)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.keyer.ballots_changed.connect(self._changed)
        self.rect_box.changed.connect(self._changed)
        self.save_button.clicked.connect(lambda: self.save())
        self.back_button.clicked.connect(self.go_back)
        self.print_ballot.clicked.connect(lambda: self._ask_and_print("ballot"))
        self.print_tally.clicked.connect(lambda: self._ask_and_print("tally"))
        self.print_notice.clicked.connect(lambda: self._ask_and_print("notice"))
        self._set_template(self.template)
        self.retranslate()

    def _set_template(self, template: Template) -> None:
        self.template = template
        self.keyer.set_template(template)
        self.grid.clear()
        self.grid.setRowCount(len(template.items))
        self.grid.setColumnCount(len(template.grades))
        for row in range(len(template.items)):
            for col in range(len(template.grades)):
                spin = QSpinBox()
                spin.setRange(0, MAX_COUNT)
                spin.valueChanged.connect(self._changed)
                self.grid.setCellWidget(row, col, spin)
        self.keyer.retranslate()
        self._label_grid()

    def _label_grid(self) -> None:
        self.grid.setHorizontalHeaderLabels([pick(g.label) for g in self.template.grades])
        self.grid.setVerticalHeaderLabels([pick(i.label) for i in self.template.items])

    def grid_spin(self, item: int, grade: int) -> QSpinBox:
        return self.grid.cellWidget(item, grade)  # type: ignore[return-value]

    # -- loading and collecting ----------------------------------------------------------
    def load(
        self,
        ws: Workspace,
        session: Session,
        unions: list[tuple[str, str]],
        template: Template | None = None,
    ) -> None:
        self._loading = True
        try:
            self.ws = ws
            self.session = session
            self._set_template(template or ops.template_for(session, ws))
            self.union.clear()
            for uuid, name in unions:
                self.union.addItem(name, uuid)
            index = self.union.findData(session.union)
            if index < 0 and session.union:
                self.union.addItem(session.union, session.union)
                index = self.union.count() - 1
            self.union.setCurrentIndex(max(index, 0))
            self.year.setValue(session.year)
            self.date.setDate(
                QDate.fromString(session.date, "yyyy-MM-dd")
                if session.date
                else QDate.currentDate()
            )
            self.kind.setCurrentIndex(max(self.kind.findData(session.meeting_kind), 0))
            self.repeat_reason.setText(session.repeat_reason)
            self.variant.clear()
            choices = ops.template_choices(ws) if session.uuid is None else []
            if not any(v == self.template.variant for v, _t in choices):
                choices = [(self.template.variant, dict(self.template.title)), *choices]
            for variant, title in choices:
                self.variant.addItem(pick(title), variant)
            self.variant.setCurrentIndex(max(self.variant.findData(self.template.variant), 0))
            for name in TURNOUT:
                self.spins[name].setValue(getattr(session, name))
            for r, item in enumerate(self.template.items):
                for c, grade in enumerate(self.template.grades):
                    self.grid_spin(r, c).setValue(session.tally.get(item.id, {}).get(grade.id, 0))
            self.keyer.set_ballots(session.ballots)
            self.tabs.setCurrentIndex(1 if session.entry_mode == ops.ENTRY_BALLOTS else 0)
            self.rect_box.set_items(session.rectifications)
        finally:
            self._loading = False
        self._dirty = False
        self.status.clear()
        self._set_read_only(session.locked or session.status in READ_ONLY_STATUSES)
        self._sync_mode()
        self._recompute()

    def _set_read_only(self, read_only: bool) -> None:
        """A signed-off session, or one with the county, is shown but cannot change."""
        self.read_only = read_only
        for widget in (self.meeting_box, self.turnout_box, self.grid, self.keyer, self.rect_box):
            widget.setEnabled(not read_only)
        self.save_button.setEnabled(not read_only)
        if read_only:
            self.status.setText(
                self.tr("This session is signed off or with the county: it cannot change now.")
            )

    def collect(self) -> Session:
        """The session as the widgets show it now (not saved)."""
        s = self.session
        session = Session(
            union=str(self.union.currentData() or ""),
            year=self.year.value(),
            date=self.date.date().toString("yyyy-MM-dd"),
            meeting_kind=str(self.kind.currentData() or MEETING_KINDS[0]),
            template_version=self.template.version,
            template_variant=self.template.variant,
            repeat_reason=self.repeat_reason.text().strip(),
            uuid=s.uuid,
            version=s.version,
            status=s.status,
            locked=s.locked,
        )
        for name in ("eligible", "attendees", "issued"):
            setattr(session, name, self.spins[name].value())
        if self.ballot_mode():
            session.use_ballots(self.template, self.keyer.ballots)
        else:
            session.use_totals(
                {
                    item.id: {
                        grade.id: self.grid_spin(r, c).value()
                        for c, grade in enumerate(self.template.grades)
                    }
                    for r, item in enumerate(self.template.items)
                },
                returned=self.spins["returned"].value(),
                invalid=self.spins["invalid"].value(),
            )
        session.rectifications = self.rect_box.items()
        return session

    def ballot_mode(self) -> bool:
        return self.tabs.currentIndex() == 1

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    # -- reacting ------------------------------------------------------------------------
    def _changed(self, *_: Any) -> None:
        if self._loading:
            return
        self._dirty = True
        self._sync_mode()
        self._recompute()

    def _tab_changed(self, index: int) -> None:
        if self._loading:
            return
        if index == 0 and self.keyer.ballots:
            # show the keyed ballots' totals in the grid, so switching loses nothing
            counted = self.keyer.tally_result()
            self._loading = True
            for r, item in enumerate(self.template.items):
                for c, grade in enumerate(self.template.grades):
                    self.grid_spin(r, c).setValue(counted.tally[item.id][grade.id])
            self.spins["returned"].setValue(counted.returned)
            self.spins["invalid"].setValue(counted.invalid)
            self._loading = False
        if index == 1:
            self.keyer.setFocus()
        self._changed()

    def _variant_changed(self, _index: int) -> None:
        """A new session may switch template (e.g. one overall question) before votes exist."""
        variant = self.variant.currentData()
        if self._loading or not variant or variant == self.template.variant:
            return
        self._loading = True
        try:
            self._set_template(ops.current_template(self.ws, variant))
        finally:
            self._loading = False
        self._changed()

    def _has_votes(self) -> bool:
        if self.keyer.ballots:
            return True
        return any(
            self.grid_spin(r, c).value()
            for r in range(self.grid.rowCount())
            for c in range(self.grid.columnCount())
        )

    def _sync_mode(self) -> None:
        self.variant.setEnabled(self.session.uuid is None and not self._has_votes())
        ballots = self.ballot_mode()
        for name in ("returned", "invalid"):
            self.spins[name].setReadOnly(ballots)
        if ballots:
            counted = self.keyer.tally_result()
            self._loading, was = True, self._loading
            self.spins["returned"].setValue(counted.returned)
            self.spins["invalid"].setValue(counted.invalid)
            self._loading = was

    def _recompute(self) -> None:
        session = self.collect()
        result = session.compute(self.template)
        self.last_result = result
        self.result_label.show_result(self.template, result)

    # -- saving and printing -------------------------------------------------------------
    def save(self, on_saved: Callable[[Session], None] | None = None) -> None:
        """Save through the task runner; the status line tells what happened."""
        if self.ws is None or self.read_only:
            return
        session = self.collect()
        if not session.union:
            self.status.setText(self.tr("Choose the union first."))
            return
        ws = self.ws

        def done(stored: Session) -> None:
            self.session = stored
            self._dirty = False
            if stored.result:
                self.status.setText(self.tr("Saved with its result."))
            else:
                self.status.setText(
                    self.tr("Saved as a draft: the numbers do not agree yet, so no result.")
                )
            self.saved.emit(stored)
            if on_saved is not None:
                on_saved(stored)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ops.DuplicateSession):
                p = exc.problem
                self.status.setText(rules.message(p.code, current_language(), **p.params))
            elif getattr(exc, "result", None) is not None:  # the store's ValidationFailed
                self.status.setText(field_errors_text(exc.result.errors))  # type: ignore[attr-defined]
            else:
                from desktop.ui.errors_text import store_error_text

                self.status.setText(store_error_text(exc))

        operations.save_assessment(ws, session).success(done).failure(failed).run()

    def go_back(self) -> None:
        """Back to the list; asks first when typed numbers or ballots are not saved yet."""
        if self._dirty and not self.read_only:
            answer = QMessageBox.question(
                self,
                self.tr("Unsaved changes"),
                self.tr("Leave without saving? What was entered since the last save is lost."),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            self._dirty = False
        self.back.emit()

    def union_name(self) -> str:
        return self.union.currentText()

    def print_document(self, kind: str, path: Path, on_done: Callable[[Path], None] | None = None):
        """Write the ballot sheet, tally sheet or notice of the *saved* session to ``path``."""
        session = self.session
        printout = ops.Printout(
            template=self.template,
            union_name=self.union_name(),
            year=self.year.value(),
            org_unit_name=getattr(getattr(self.ws, "org_unit", None), "name", "") or "",
            session=session if session.uuid else None,
        )
        copies = self.copies.value()

        def done(written: Path) -> None:
            self.status.setText(self.tr("Printed to %1").replace("%1", str(written)))
            if on_done is not None:
                on_done(written)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValueError):
                self.status.setText(self.tr("Save a session whose numbers agree first."))
            else:
                self.status.setText(str(exc))

        operations.print_assessment(
            cast("ops.PrintKind", kind), path, printout, copies=copies
        ).success(done).failure(failed).run()

    def _ask_and_print(self, kind: str) -> None:
        if kind != "ballot" and self._dirty:
            self.status.setText(self.tr("Save first: the printout shows the saved session."))
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save PDF"), f"{kind}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.print_document(kind, Path(path))

    # -- language ------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.meeting_box.setTitle(self.tr("Meeting"))
        self.turnout_box.setTitle(self.tr("Turnout and ballots"))
        for label, text in zip(
            self.meeting_labels,
            (
                self.tr("Union"),
                self.tr("Year"),
                self.tr("Meeting date"),
                self.tr("Meeting kind"),
                self.tr("Template"),
                self.tr("Reason for a repeat"),
            ),
            strict=True,
        ):
            label.setText(text)
        for label, text in zip(
            self.turnout_labels,
            (
                self.tr("Eligible voters"),
                self.tr("Attendees"),
                self.tr("Ballots issued"),
                self.tr("Ballots returned"),
                self.tr("Invalid ballots"),
            ),
            strict=True,
        ):
            label.setText(text)
        current = self.kind.currentData()
        self.kind.clear()
        self.kind.addItem(self.tr("Members' assembly"), MEETING_KINDS[0])
        self.kind.addItem(self.tr("Members' representatives' assembly"), MEETING_KINDS[1])
        self.kind.setCurrentIndex(max(self.kind.findData(current), 0))
        self.repeat_reason.setPlaceholderText(
            self.tr("Only when the union already has a session this year")
        )
        self.tabs.setTabText(0, self.tr("Typed totals"))
        self.tabs.setTabText(1, self.tr("Ballot by ballot"))
        set_access_key(self.save_button, self.tr("Save"), "S")
        set_access_key(self.back_button, self.tr("Back to the list"), "B")
        self.copies.setSuffix(self.tr(" copies"))
        set_access_key(self.print_ballot, self.tr("Print ballot sheets"), "P")
        set_access_key(self.print_tally, self.tr("Print tally sheet"), "T")
        set_access_key(self.print_notice, self.tr("Print result notice"), "E")
        self._label_grid()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
