"""First run: create a workspace (with the recovery key shown once), restore a backup, or enroll.

Enrolling with a county server belongs to the sync work: it installs a handler with
:func:`set_enroll_handler`; until then the button says it is not available.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import operations
from desktop.ui.errors_text import restore_error_text, store_error_text
from desktop.ui.icons import icon
from desktop.ui.login import centred_card
from desktop.ui.password_widget import NewPasswordWidget

if TYPE_CHECKING:
    from desktop.store import Workspace

# ``handler(parent, workspace_path) -> open Workspace or None`` (installed by the sync work)
EnrollHandler = Callable[[QWidget, Path], Any]
_enroll_handler: EnrollHandler | None = None


def set_enroll_handler(handler: EnrollHandler | None) -> None:
    """Let the sync work offer "Enroll with a county server" on the first-run screen."""
    global _enroll_handler
    _enroll_handler = handler


ORG_CODE = re.compile(r"^\d{6}(\d{3}){0,2}$")


class FirstRunScreen(QWidget):
    """Emits ``workspace_ready(ws)`` with an open workspace."""

    workspace_ready = Signal(object)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("Welcome")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._ws: Workspace | None = None
        self._recovery_key = ""

        self.title = QLabel(objectName="LoginTitle")
        self.subtitle = QLabel(objectName="Hint")
        self.subtitle.setWordWrap(True)
        self.steps = QStackedWidget()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_create(), "")
        self.tabs.addTab(self._build_restore(), "")
        self.tabs.addTab(self._build_enroll(), "")
        self.steps.addWidget(self.tabs)
        self.steps.addWidget(self._build_recovery())

        centred_card(self, 560, self.title, self.subtitle).addWidget(self.steps)
        self.retranslate()

    # -- create ------------------------------------------------------------------------------
    def _build_create(self) -> QWidget:
        page = QWidget()
        self.org_code = QLineEdit(objectName="OrgCode")
        self.org_code.setMaxLength(12)
        self.org_name = QLineEdit(objectName="OrgName")
        self.admin_user = QLineEdit("admin", objectName="AdminUser")
        self.new_password = NewPasswordWidget()
        self.admin_user.textChanged.connect(self.new_password.set_user)
        self.new_password.set_user("admin")
        self.create_error = QLabel(objectName="ErrorBanner")
        self.create_error.setWordWrap(True)
        self.create_error.hide()
        self.create_button = QPushButton(objectName="CreateWorkspace")
        self.create_button.setProperty("primary", True)
        self.create_button.clicked.connect(self.create_workspace)
        form = QFormLayout()
        self.org_code_label, self.org_name_label, self.admin_label = QLabel(), QLabel(), QLabel()
        form.addRow(self.org_code_label, self.org_code)
        form.addRow(self.org_name_label, self.org_name)
        form.addRow(self.admin_label, self.admin_user)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.new_password)
        layout.addWidget(self.create_error)
        layout.addWidget(self.create_button)
        layout.addStretch(1)
        return page

    def create_workspace(self) -> None:
        code, name = self.org_code.text().strip(), self.org_name.text().strip()
        user = self.admin_user.text().strip()
        problem = None
        if not ORG_CODE.match(code):
            problem = self.tr("The org unit code is the 6, 9 or 12-digit division code.")
        elif not name:
            problem = self.tr("Enter the org unit's name.")
        elif not user:
            problem = self.tr("Enter a user name for the administrator.")
        else:
            problem = self.new_password.problem()
        if problem:
            self.create_error.setText(problem)
            self.create_error.show()
            return
        self.create_error.hide()
        self.create_button.setEnabled(False)
        password = self.new_password.password()

        def failed(exc: BaseException) -> None:
            self.create_button.setEnabled(True)
            self.create_error.setText(store_error_text(exc))
            self.create_error.show()

        operations.create_workspace(
            self.path,
            org_unit_code=code,
            org_unit_name=name,
            admin_user=user,
            admin_password=password,
        ).success(self._created).failure(failed).run()

    def _created(self, result: Any) -> None:
        self._ws, self._recovery_key = result
        self.new_password.clear()
        self.key_label.setText(str(self._recovery_key))
        self.key_confirm.setChecked(False)
        self.steps.setCurrentIndex(1)

    # -- recovery key (shown once) ---------------------------------------------------------------
    def _build_recovery(self) -> QWidget:
        page = QWidget()
        self.key_intro = QLabel(objectName="InfoBanner")
        self.key_intro.setWordWrap(True)
        self.key_label = QLabel(objectName="RecoveryKey")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(13)
        mono.setBold(True)
        self.key_label.setFont(mono)
        self.key_label.setWordWrap(True)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setStyleSheet(
            "background: #f0f4f8; border: 1px dashed #9fb3c8; border-radius: 4px; padding: 12px;"
        )
        self.print_key_button = QPushButton(objectName="PrintRecoveryKey")
        self.print_key_button.setIcon(icon("print"))
        self.print_key_button.clicked.connect(self._ask_print_key)
        self.key_confirm = QCheckBox(objectName="KeyConfirm")
        self.continue_button = QPushButton(objectName="ContinueAfterKey")
        self.continue_button.setProperty("primary", True)
        self.continue_button.setEnabled(False)
        self.key_confirm.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._finish)
        self.key_status = QLabel(objectName="Hint")
        layout = QVBoxLayout(page)
        layout.addWidget(self.key_intro)
        layout.addWidget(self.key_label)
        row = QHBoxLayout()
        row.addWidget(self.print_key_button)
        row.addWidget(self.key_status, 1)
        layout.addLayout(row)
        layout.addWidget(self.key_confirm)
        layout.addWidget(self.continue_button)
        layout.addStretch(1)
        return page

    def _ask_print_key(self) -> None:
        target, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the recovery key as PDF"),
            str(Path.home() / "recovery-key.pdf"),
            "PDF (*.pdf)",
        )
        if target:
            self.print_recovery_key(Path(target), open_after=True)

    def print_recovery_key(self, target: Path, open_after: bool = False) -> None:
        """Write the recovery-key printout to ``target`` (off the GUI thread)."""
        ws = self._ws
        if ws is None:
            return

        def done(path: Path) -> None:
            self.key_status.setText(self.tr("Saved to %1").replace("%1", str(path)))
            if open_after:
                from PySide6.QtCore import QUrl
                from PySide6.QtGui import QDesktopServices

                QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        def failed(exc: BaseException) -> None:
            self.key_status.setText(self.tr("Could not write the PDF: %1").replace("%1", str(exc)))

        operations.write_recovery_key(ws, target, self._recovery_key).success(done).failure(
            failed
        ).run()

    def _finish(self) -> None:
        ws, self._ws = self._ws, None
        self._recovery_key = ""
        self.key_label.clear()
        self.workspace_ready.emit(ws)

    # -- restore -------------------------------------------------------------------------------
    def _build_restore(self) -> QWidget:
        page = QWidget()
        self.backup_file = QLineEdit(objectName="BackupFile")
        self.browse_button = QPushButton()
        self.browse_button.clicked.connect(self._browse_backup)
        self.restore_user = QLineEdit("admin", objectName="RestoreUser")
        self.restore_password = QLineEdit(objectName="RestorePassword")
        self.restore_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.restore_error = QLabel(objectName="ErrorBanner")
        self.restore_error.setWordWrap(True)
        self.restore_error.hide()
        self.restore_button = QPushButton(objectName="RestoreBackup")
        self.restore_button.setProperty("primary", True)
        self.restore_button.clicked.connect(self.restore_backup)
        file_row = QHBoxLayout()
        file_row.addWidget(self.backup_file, 1)
        file_row.addWidget(self.browse_button)
        form = QFormLayout()
        self.backup_label, self.restore_user_label, self.restore_password_label = (
            QLabel(),
            QLabel(),
            QLabel(),
        )
        form.addRow(self.backup_label, file_row)
        form.addRow(self.restore_user_label, self.restore_user)
        form.addRow(self.restore_password_label, self.restore_password)
        self.restore_hint = QLabel(objectName="Hint")
        self.restore_hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.restore_hint)
        layout.addLayout(form)
        layout.addWidget(self.restore_error)
        layout.addWidget(self.restore_button)
        layout.addStretch(1)
        return page

    def _browse_backup(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a backup file"), str(Path.home())
        )
        if name:
            self.backup_file.setText(name)

    def restore_backup(self) -> None:
        backup = Path(self.backup_file.text().strip())
        user, secret = self.restore_user.text().strip(), self.restore_password.text()
        if not backup.is_file():
            self.restore_error.setText(self.tr("Choose the backup file to restore."))
            self.restore_error.show()
            return
        self.restore_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.restore_button.setEnabled(True)
            self.restore_error.setText(restore_error_text(exc, self.path))
            self.restore_error.show()

        def done(ws: Workspace) -> None:
            self.restore_button.setEnabled(True)
            self.restore_password.clear()
            self.workspace_ready.emit(ws)

        operations.restore_backup(backup, self.path, user=user, secret=secret).success(
            done
        ).failure(failed).run()

    # -- enroll ---------------------------------------------------------------------------------
    def _build_enroll(self) -> QWidget:
        page = QWidget()
        self.enroll_hint = QLabel(objectName="Hint")
        self.enroll_hint.setWordWrap(True)
        self.enroll_button = QPushButton(objectName="EnrollButton")
        self.enroll_button.clicked.connect(self._enroll)
        layout = QVBoxLayout(page)
        layout.addWidget(self.enroll_hint)
        layout.addWidget(self.enroll_button)
        layout.addStretch(1)
        return page

    def _enroll(self) -> None:
        if _enroll_handler is None:
            return
        ws = _enroll_handler(self, self.path)
        if ws is not None:
            self.workspace_ready.emit(ws)

    # -- language --------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Welcome to UnionDesk"))
        self.subtitle.setText(
            self.tr(
                "No workspace on this computer yet. Create one, restore a backup, or enroll with your county federation."
            )
        )
        self.tabs.setTabText(0, self.tr("Create a workspace"))
        self.tabs.setTabText(1, self.tr("Restore a backup"))
        self.tabs.setTabText(2, self.tr("Enroll with the county"))
        self.org_code_label.setText(self.tr("Org unit code"))
        self.org_code.setPlaceholderText(self.tr("e.g. 330106001"))
        self.org_name_label.setText(self.tr("Org unit name"))
        self.org_name.setPlaceholderText(self.tr("e.g. 西溪街道总工会"))
        self.admin_label.setText(self.tr("Administrator"))
        self.create_button.setText(self.tr("Create workspace"))
        self.key_intro.setText(
            self.tr(
                "This is the workspace's recovery key. It is shown only now. Print it or write it down and keep it locked away: it opens the workspace when every password is lost."
            )
        )
        self.print_key_button.setText(self.tr("Print recovery key…"))
        self.key_confirm.setText(self.tr("I have printed or written down the recovery key"))
        self.continue_button.setText(self.tr("Continue"))
        self.restore_hint.setText(
            self.tr("Restore a UnionDesk backup file, with a user's password or the recovery key.")
        )
        self.backup_label.setText(self.tr("Backup file"))
        self.browse_button.setText(self.tr("Browse…"))
        self.restore_user_label.setText(self.tr("User"))
        self.restore_password_label.setText(self.tr("Password or recovery key"))
        self.restore_button.setText(self.tr("Restore"))
        available = _enroll_handler is not None
        self.enroll_hint.setText(
            self.tr(
                "Your county federation gives you an enrollment code; the workspace is then set up from the county server."
            )
            if available
            else self.tr("Enrollment with a county server is not available in this version yet.")
        )
        self.enroll_button.setText(self.tr("Enroll…"))
        self.enroll_button.setEnabled(available)
        self.new_password.retranslate()  # its labels first (children hear the change later)
        labels = [self.org_code_label, self.org_name_label, self.admin_label]
        labels += self.new_password.labels()
        width = max(label.fontMetrics().horizontalAdvance(label.text()) for label in labels) + 8
        for label in labels:
            label.setFixedWidth(width)
