"""A new-password input: password, repeat, a strength bar and what is still wrong."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar, QWidget

from desktop.ui.password_strength import check_password, problem_text, score_text

_BAR_COLOURS = ["#c8322f", "#c8322f", "#e0a23d", "#2e9f6e", "#1f7a4d"]


class NewPasswordWidget(QWidget):
    """Emits ``changed`` on every edit; :meth:`problem` is ``None`` when the password is usable."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user = ""
        self.password_edit = QLineEdit(objectName="NewPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit(objectName="RepeatPassword")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(True)
        self.bar.setFixedHeight(16)
        self.hint = QLabel(objectName="FieldWarning")
        self.hint.setWordWrap(True)
        self.password_label, self.repeat_label, self.strength_label = QLabel(), QLabel(), QLabel()
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(self.password_label, self.password_edit)
        layout.addRow(self.repeat_label, self.repeat_edit)
        layout.addRow(self.strength_label, self.bar)
        layout.addRow("", self.hint)
        self.password_edit.textChanged.connect(self._update)
        self.repeat_edit.textChanged.connect(self._update)
        self.retranslate()
        self._update()

    def labels(self) -> list[QLabel]:
        """Its row labels (to line them up with a form around it)."""
        return [self.password_label, self.repeat_label, self.strength_label]

    def password(self) -> str:
        return self.password_edit.text()

    def set_user(self, user: str) -> None:
        self.user = user
        self._update()

    def problem(self) -> str | None:
        """What is still wrong, in words, or ``None``."""
        strength = check_password(self.password(), self.user)
        if strength.problems:
            return problem_text(strength.problems[0])
        if self.password() != self.repeat_edit.text():
            return self.tr("The two passwords differ.")
        return None

    def clear(self) -> None:
        self.password_edit.clear()
        self.repeat_edit.clear()

    def _update(self) -> None:
        strength = check_password(self.password(), self.user)
        self.bar.setValue(strength.score)
        self.bar.setFormat(score_text(strength.score) if self.password() else "")
        colour = _BAR_COLOURS[strength.score]
        self.bar.setStyleSheet(
            "QProgressBar { border: 1px solid #bcccdc; border-radius: 3px; background: #ffffff;"
            " text-align: center; font-size: 8pt; }"
            f" QProgressBar::chunk {{ background: {colour}; border-radius: 2px; }}"
        )
        problem = self.problem() if self.password() else None
        self.hint.setText(problem or "")
        self.hint.setVisible(bool(problem))
        self.changed.emit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.password_label.setText(self.tr("Password"))
        self.repeat_label.setText(self.tr("Repeat password"))
        self.strength_label.setText(self.tr("Strength"))
        self._update() if hasattr(self, "bar") else None
