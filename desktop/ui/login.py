"""The sign-in screen: user + password to open the workspace, or the same user's password to unlock."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.icons import icon


def centred_card(screen: QWidget, width: int, title: QLabel, subtitle: QLabel) -> QVBoxLayout:
    """Put a fixed-width ``LoginCard`` a little above the middle of *screen*.

    The card starts with the app logo beside *title*, then *subtitle*; returns its layout.
    """
    card = QFrame(objectName="LoginCard")
    card.setFixedWidth(width)
    logo = QLabel()
    logo.setPixmap(icon("app").pixmap(48, 48))
    head = QHBoxLayout()
    head.addWidget(logo)
    head.addWidget(title, 1)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(28, 24, 28, 24)
    inner.setSpacing(12)
    inner.addLayout(head)
    inner.addWidget(subtitle)
    outer = QVBoxLayout(screen)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return inner


class LoginScreen(QWidget):
    """Centered card. ``locked=True``: the user is fixed (auto-lock); otherwise typed."""

    unlock_requested = Signal(str, str)  # user, password

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._locked = False
        self.title = QLabel(objectName="LoginTitle")
        self.subtitle = QLabel(objectName="Hint")
        self.subtitle.setWordWrap(True)
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("LoginUser")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("LoginPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel(objectName="ErrorBanner")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.unlock_button = QPushButton()
        self.unlock_button.setProperty("primary", True)
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._submit)
        self.password_edit.returnPressed.connect(self._submit)
        self.user_edit.returnPressed.connect(self.password_edit.setFocus)

        self.form = QFormLayout()
        self.user_label = QLabel()
        self.password_label = QLabel()
        self.form.addRow(self.user_label, self.user_edit)
        self.form.addRow(self.password_label, self.password_edit)

        inner = centred_card(self, 420, self.title, self.subtitle)
        inner.addLayout(self.form)
        inner.addWidget(self.error_label)
        inner.addWidget(self.unlock_button)
        self.retranslate()

    def set_mode(self, *, locked: bool, user: str = "", org_unit: str = "") -> None:
        """Prepare for opening (``locked=False``) or unlocking after auto-lock."""
        self._locked = locked
        self._org_unit = org_unit
        self.user_edit.setText(user)
        self.user_edit.setReadOnly(locked)
        self.password_edit.clear()
        self.error_label.hide()
        self.set_busy(False)
        self.retranslate()
        (self.password_edit if (locked or user) else self.user_edit).setFocus()

    def set_busy(self, busy: bool, note: str = "") -> None:
        """Disable the form while work runs; ``note`` says what (on the button)."""
        self.unlock_button.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)
        if busy and note:
            self.unlock_button.setText(note)
        elif not busy:
            self.retranslate()

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error_label.setText(text)
        self.error_label.show()
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def _submit(self) -> None:
        user = self.user_edit.text().strip()
        if not user:
            self.show_error(self.tr("Enter your user name."))
            self.user_edit.setFocus()
            return
        if not self.password_edit.text():
            self.show_error(self.tr("Enter your password."))
            return
        self.error_label.hide()
        self.set_busy(True)
        self.unlock_requested.emit(user, self.password_edit.text())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.user_label.setText(self.tr("User"))
        self.password_label.setText(self.tr("Password"))
        if self._locked:
            self.title.setText(self.tr("Locked"))
            self.subtitle.setText(
                self.tr(
                    "UnionDesk locked itself after a while without use. Enter your password to continue where you were."
                )
            )
            self.unlock_button.setText(self.tr("Unlock"))
        else:
            self.title.setText(self.tr("UnionDesk"))
            org = getattr(self, "_org_unit", "")
            self.subtitle.setText(
                self.tr("Sign in to the workspace of %1").replace("%1", org)
                if org
                else self.tr("Sign in to your workspace")
            )
            self.unlock_button.setText(self.tr("Sign in"))
