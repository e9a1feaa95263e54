"""Test-wide settings: Qt runs offscreen; artefacts for people to look at go to test-output/."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests are reproducible by default: the same examples on every run and machine, so
# CI is never red by luck. `pytest --hypothesis-profile=explore` searches new examples.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", max_examples=5000, print_blob=True)
settings.load_profile(os.environ.get("UNIONDESK_HYPOTHESIS_PROFILE", "repeatable"))

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def artefact_dir() -> Path:
    """A folder (not committed) where tests write screenshots and page images for people."""
    path = REPO_ROOT / "test-output"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _ui_language_restored() -> Iterator[None]:
    """Each test starts with the UI language the previous one found: no test leaks its language.

    Only acts once desktop.ui.i18n has been imported, so non-UI tests never load Qt.
    """
    i18n = sys.modules.get("desktop.ui.i18n")
    before = (i18n._current, list(i18n._installed)) if i18n else None
    yield
    i18n = sys.modules.get("desktop.ui.i18n")
    if i18n is None:
        return
    current, translators = before if before else (i18n.DEFAULT_LANGUAGE, [])
    if i18n._current == current and i18n._installed == translators:
        return
    from PySide6.QtCore import QCoreApplication, QLocale

    app = QCoreApplication.instance()
    for translator in i18n._installed:
        app.removeTranslator(translator)
    i18n._installed[:] = translators
    for translator in translators:
        app.installTranslator(translator)
    i18n._current = current
    language = QLocale.Language.Chinese if current == "zh_CN" else QLocale.Language.English
    QLocale.setDefault(QLocale(language))
