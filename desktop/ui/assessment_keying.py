"""Fast keying of paper assessment ballots: one key per item, Enter for the next ballot.

The clerk holds a paper ballot and presses one grade key per item in order (1 满意, 2 基本满意,
3 不满意 by default — the keys come from the template), then Enter. ``0`` or ``X`` marks the
ballot invalid (废票). Backspace undoes the last key; on an empty ballot it reopens the previous
one. Up / Down (or a double-click in the list) reopen any keyed ballot for correction; Escape
cancels. The running tally (per item and grade, with satisfaction so far) is always visible.

Ballots are kept as compact strings (see :mod:`forms.assessment`) so the count can be re-checked.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.i18n import pick
from forms import assessment as rules
from forms.assessment import Template

INVALID_KEYS = {Qt.Key.Key_0, Qt.Key.Key_X}


class BallotKeyer(QWidget):
    """Keys ballots one by one; :attr:`ballots` holds the compact strings."""

    ballots_changed = Signal()

    def __init__(self, template: Template, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template = template
        self._ballots: list[str] = []
        self._keys: list[str] = []  # grade keys typed for the ballot in hand
        self._invalid = False
        self._editing: int | None = None  # index of a ballot being corrected
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.title = QLabel()
        self.title.setObjectName("ballotTitle")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setObjectName("ballotNotice")
        self.notice.setStyleSheet("color: #b00020;")
        self.current = QTableWidget(len(template.items), 2)
        self.tally = QTableWidget(len(template.items), len(template.grades) + 1)
        self.totals = QLabel()
        self.totals.setObjectName("ballotTotals")
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda item: self.edit_ballot(self.list.row(item)))
        for table in (self.current, self.tally):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setStretchLastSection(True)
        for child in (self.current, self.tally, self.list):
            child.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        grid = QGridLayout()
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.current, 1, 0)
        self.tally_title = QLabel()
        grid.addWidget(self.tally_title, 0, 1)
        grid.addWidget(self.tally, 1, 1)
        grid.setColumnStretch(1, 2)
        side = QVBoxLayout()
        self.list_title = QLabel()
        side.addWidget(self.list_title)
        side.addWidget(self.list)
        row = QHBoxLayout()
        row.addLayout(grid, 3)
        row.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.totals)
        layout.addWidget(self.notice)
        self.retranslate()

    # -- public --------------------------------------------------------------------------
    @property
    def ballots(self) -> list[str]:
        return list(self._ballots)

    def set_ballots(self, ballots: list[str]) -> None:
        self._ballots = list(ballots)
        self._keys, self._invalid, self._editing = [], False, None
        self._update()

    def set_template(self, template: Template) -> None:
        """Key ballots for another template (its items and grades); keyed ballots are dropped."""
        self.template = template
        self.current.setRowCount(len(template.items))
        self.tally.setRowCount(len(template.items))
        self.tally.setColumnCount(len(template.grades) + 1)
        self._ballots, self._keys, self._invalid, self._editing = [], [], False, None
        self.retranslate()

    def tally_result(self) -> rules.BallotTally:
        return rules.tally_ballots(self.template, self._ballots)

    def edit_ballot(self, index: int) -> None:
        """Reopen ballot ``index`` (0-based) for correction; Enter writes it back."""
        if not 0 <= index < len(self._ballots):
            return
        code = self._ballots[index]
        self._editing = index
        self._invalid = code == rules.INVALID_BALLOT
        self._keys = [] if self._invalid else list(code)
        self.notice.clear()
        self._update()
        self.setFocus()

    # -- keys ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        text = event.text()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._commit()
        elif key == Qt.Key.Key_Backspace:
            self._undo()
        elif key == Qt.Key.Key_Escape:
            self._keys, self._invalid, self._editing = [], False, None
            self.notice.clear()
            self._update()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._step(-1 if key == Qt.Key.Key_Up else 1)
        elif key in INVALID_KEYS:
            self._keys, self._invalid = [], True
            self.notice.clear()
            self._update()
        elif text and self.template.grade_for_key(text) is not None:
            if self._invalid:
                self._say(self.tr("This ballot is marked invalid: Backspace to undo that."))
            elif len(self._keys) >= len(self.template.items):
                self._say(self.tr("Every item has a grade: press Enter for the next ballot."))
            else:
                self._keys.append(text)
                self.notice.clear()
                self._update()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _step(self, delta: int) -> None:
        """Up / Down: move to the previous / next keyed ballot to correct it (past the last one
        back to a new ballot). Refused while a new ballot is half keyed, so nothing is lost."""
        if self._editing is None and (self._keys or self._invalid):
            self._say(self.tr("Finish this ballot (Enter) or clear it (Escape) first."))
            return
        start = self._editing if self._editing is not None else len(self._ballots)
        target = start + delta
        if target >= len(self._ballots):
            self._keys, self._invalid, self._editing = [], False, None
            self.notice.clear()
            self._update()
        elif target >= 0:
            self.edit_ballot(target)

    def _say(self, text: str) -> None:
        self.notice.setText(text)

    def _commit(self) -> None:
        n_items = len(self.template.items)
        if self._invalid:
            code = rules.INVALID_BALLOT
        elif len(self._keys) == n_items:
            code = "".join(self._keys)
        else:
            missing = pick(self.template.items[len(self._keys)].label)
            self._say(self.tr("Ballot incomplete: no grade yet for “%1”.").replace("%1", missing))
            return
        if self._editing is not None:
            self._ballots[self._editing] = code
        else:
            self._ballots.append(code)
        self._keys, self._invalid, self._editing = [], False, None
        self.notice.clear()
        self._update()
        self.ballots_changed.emit()

    def _undo(self) -> None:
        if self._keys:
            self._keys.pop()
        elif self._invalid:
            self._invalid = False
        elif self._editing is not None:
            self._editing = None
        elif self._ballots:
            # reopen the previous ballot: it no longer counts until Enter stores it again
            code = self._ballots.pop()
            self._invalid = code == rules.INVALID_BALLOT
            self._keys = [] if self._invalid else list(code)
            self.ballots_changed.emit()
        self.notice.clear()
        self._update()

    # -- display -------------------------------------------------------------------------
    def _number(self) -> int:
        return (self._editing if self._editing is not None else len(self._ballots)) + 1

    def _update(self) -> None:
        t = self.template
        if self._editing is not None:
            self.title.setText(self.tr("Correcting ballot %1").replace("%1", str(self._number())))
        else:
            self.title.setText(self.tr("Ballot %1").replace("%1", str(self._number())))
        for row, item in enumerate(t.items):
            self.current.setItem(row, 0, QTableWidgetItem(pick(item.label)))
            if self._invalid:
                shown = self.tr("invalid")
            elif row < len(self._keys):
                grade = t.grade_for_key(self._keys[row])
                shown = f"{self._keys[row]} {pick(grade.label)}" if grade else "?"
            else:
                shown = "▶" if row == len(self._keys) else ""
            self.current.setItem(row, 1, QTableWidgetItem(shown))
        counted = self.tally_result()
        valid = counted.returned - counted.invalid
        for row, item in enumerate(t.items):
            counts = counted.tally[item.id]
            for col, grade in enumerate(t.grades):
                cell = QTableWidgetItem(str(counts[grade.id]))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.tally.setItem(row, col, cell)
            happy = sum(counts[g.id] for g in t.grades if g.satisfied)
            rate = rules.percent(Fraction(happy, valid)) if valid else "—"
            self.tally.setItem(row, len(t.grades), QTableWidgetItem(rate))
        self.totals.setText(
            self.tr("Ballots keyed: %1 · valid: %2 · invalid: %3")
            .replace("%1", str(counted.returned))
            .replace("%2", str(valid))
            .replace("%3", str(counted.invalid))
        )
        self._sync_list()

    def _sync_list(self) -> None:
        """Update the ballot list in place: items are never deleted while a signal from one of
        them (a double-click) is being handled, and the list does not jump around."""
        lst = self.list
        while lst.count() > len(self._ballots):
            lst.takeItem(lst.count() - 1)
        grew = lst.count() < len(self._ballots)
        for n, code in enumerate(self._ballots):
            text = f"{n + 1}: {code}"
            if n < lst.count():
                if lst.item(n).text() != text:
                    lst.item(n).setText(text)
            else:
                lst.addItem(text)
        if self._editing is not None:
            lst.setCurrentRow(self._editing)
        else:
            lst.clearSelection()
            if grew:
                lst.scrollToBottom()

    def retranslate(self) -> None:
        keys = " · ".join(f"{g.key} {pick(g.label)}" for g in self.template.grades)
        self.hint.setText(
            self.tr(
                "Keys: %1 · 0 or X invalid ballot · Enter next ballot · Backspace undo · "
                "Up/Down or double-click a ballot to correct it"
            ).replace("%1", keys)
        )
        self.current.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Grade")])
        self.tally.setHorizontalHeaderLabels(
            [pick(g.label) for g in self.template.grades] + [self.tr("Satisfaction")]
        )
        self.tally.setVerticalHeaderLabels([pick(i.label) for i in self.template.items])
        self.tally.verticalHeader().setVisible(True)
        self.tally_title.setText(self.tr("Running tally"))
        self.list_title.setText(self.tr("Keyed ballots"))
        self._update()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
