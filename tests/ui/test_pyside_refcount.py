"""PySide6 6.12.0 on Python 3.11 drops a reference to None (void methods) and to True/False
(``signal.emit()``) on every call, so a long working day ends in "deallocating None". The
PySide6 pin in pyproject.toml avoids that release; this test fails if a leaking one comes back.
The program must survive far more calls than a day needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
class Emitter(QObject):
    changed = Signal()
label, emitter = QLabel(), Emitter()
before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
for i in range(60000):
    label.setText("x")
    label.setVisible(False)
    emitter.changed.emit()
after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
assert all(abs(a - b) < 1000 for a, b in zip(before, after)), (before, after)
print("survived")
"""


def test_many_qt_calls_do_not_exhaust_none_or_bool_references() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert "survived" in result.stdout
