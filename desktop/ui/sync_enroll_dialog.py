"""First run by enrollment: create the workspace, then enroll it with the county server.

Installed as the first-run screen's enroll handler (``first_run.set_enroll_handler``). The
workspace is created first, so a failed enrollment (no network, a used code) loses nothing: the
clerk can enroll again later from the Sync page. Both steps run as one named operation on the
task helper while a busy dialog keeps the window responsive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import operations
from desktop.ui.errors_text import store_error_text
from desktop.ui.first_run import ORG_CODE
from desktop.ui.password_widget import NewPasswordWidget
from desktop.ui.shortcuts import set_access_key
from desktop.ui.sync_text import error_text


class EnrollWorkspaceDialog(QDialog):
    """Asks for the township, the administrator and the county server's one-time code."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enroll with the county server"))
        self.org_code = QLineEdit(objectName="EnrollOrgCode")
        self.org_name = QLineEdit(objectName="EnrollOrgName")
        self.admin = QLineEdit("admin", objectName="EnrollAdmin")
        self.password = NewPasswordWidget(self)
        self.server = QLineEdit(objectName="EnrollServer")
        self.server.setPlaceholderText("https://county.example:8443")
        self.code = QLineEdit(objectName="EnrollCode")
        self.problem = QLabel(objectName="ErrorText")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Org-unit code"), self.org_code)
        form.addRow(self.tr("Org-unit name"), self.org_name)
        form.addRow(self.tr("Administrator"), self.admin)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("County server address"), self.server)
        form.addRow(self.tr("Enrollment code"), self.code)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        set_access_key(buttons.button(QDialogButtonBox.StandardButton.Ok), self.tr("OK"), "O")
        set_access_key(
            buttons.button(QDialogButtonBox.StandardButton.Cancel), self.tr("Cancel"), "C"
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if not ORG_CODE.match(self.org_code.text().strip()):
            self.problem.setText(self.tr("The org-unit code has 6, 9 or 12 digits."))
        elif not self.org_name.text().strip() or not self.admin.text().strip():
            self.problem.setText(self.tr("Fill in the org-unit name and the administrator."))
        elif self.password.problem() is not None:
            self.problem.setText(self.tr("Choose a stronger password, typed the same twice."))
        elif not self.server.text().strip().startswith("https://") or not self.code.text().strip():
            self.problem.setText(self.tr("Give the county server's https:// address and the code."))
        else:
            self.accept()

    def answers(self) -> dict[str, str]:
        """What was typed, trimmed."""
        return {
            "org_code": self.org_code.text().strip(),
            "org_name": self.org_name.text().strip(),
            "admin": self.admin.text().strip(),
            "password": self.password.password(),
            "server": self.server.text().strip(),
            "code": self.code.text().strip(),
        }


def enroll_new_workspace(parent: QWidget, path: Path) -> Any:
    """The first-run enroll handler: the new workspace, open (enrolled or not), or None."""
    dialog = EnrollWorkspaceDialog(parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    title = dialog.windowTitle()
    try:
        ws, recovery_key, failure = create_and_enroll(parent, path, dialog.answers())
    except Exception as exc:  # noqa: BLE001 - shown in words, nothing was created
        QMessageBox.warning(parent, title, store_error_text(exc))
        return None
    QMessageBox.information(
        parent,
        title,
        dialog.tr("Recovery key (shown once; write it down and keep it locked away):")
        + f"\n\n{recovery_key}",
    )
    if failure is not None:
        QMessageBox.warning(
            parent,
            title,
            dialog.tr(
                "The workspace was created, but enrollment failed: %1\n"
                "You can enroll later on the Sync page."
            ).replace("%1", failure),
        )
    return ws


def create_and_enroll(
    parent: QWidget, path: Path, answers: dict[str, str]
) -> tuple[Any, str, str | None]:
    """Create the workspace, then enroll it: (workspace, recovery key, failure in words or None).

    Both run off the GUI thread (``operations.create_and_enroll``) while a busy dialog keeps
    the window responsive. A failed enrollment keeps the workspace; only a failed creation
    raises.
    """
    text = QCoreApplication.translate("EnrollWorkspaceDialog", "Contacting the county server…")
    busy = QProgressDialog(text, "", 0, 0, parent)
    busy.setCancelButton(None)
    busy.setWindowModality(Qt.WindowModality.WindowModal)
    busy.show()
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def done(result: tuple[Any, str, BaseException | None]) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(exc: BaseException) -> None:
        outcome["error"] = exc
        loop.quit()

    operations.create_and_enroll(
        path,
        org_unit_code=answers["org_code"],
        org_unit_name=answers["org_name"],
        admin_user=answers["admin"],
        admin_password=answers["password"],
        server_url=answers["server"],
        code=answers["code"],
    ).success(done).failure(failed).run()
    if not outcome:  # an immediate runner has already answered
        loop.exec()
    busy.close()
    if "error" in outcome:
        raise outcome["error"]
    ws, recovery_key, failure = outcome["result"]
    return ws, recovery_key, None if failure is None else error_text(failure)
