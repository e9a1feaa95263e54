"""Languages: install the Qt translators for zh_CN (the default) or English, switch live.

Every ``resources/i18n/*_zh_CN.qm`` is installed for Chinese (one .ts per area: ui, audits,
assessments, rosters, sync), plus Qt's own ``qtbase_zh_CN`` for standard buttons. Installing or
removing translators sends ``QEvent.LanguageChange`` to every widget, so pages retranslate
without a restart. Form labels and validation words come from the form definitions and
``forms.message`` in :func:`current_language`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

from desktop.resources import resource_path

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_current = DEFAULT_LANGUAGE
_installed: list[QTranslator] = []


def current_language() -> str:
    """``"zh_CN"`` or ``"en"``: the language people see now."""
    return _current


def installed() -> bool:
    """True once translators were installed for the current language (or it is English)."""
    return _current == "en" or bool(_installed)


_built = False


def translation_files(language: str) -> list[Path]:
    """The compiled .qm files for ``language`` (compiling stale .ts files first when possible)."""
    if language == "en":
        return []
    global _built
    folder = resource_path("i18n")
    if not _built:  # a source checkout: keep .qm in step with .ts; a bundle ships .qm files
        _built = True
        try:
            from desktop.i18n_build import build_translations

            build_translations()
        except (SystemExit, OSError, Exception):  # noqa: BLE001 - no lrelease in a bundle
            pass
    return sorted(folder.glob(f"*_{language}.qm"))


def set_language(language: str) -> None:
    """Install the translators for ``language``; every widget gets a LanguageChange event."""
    global _current
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    app = QCoreApplication.instance()
    removed = bool(_installed)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _current = language
    if language != "en":
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt_base = QTranslator(app)
        if qt_base.load(QLocale(language), "qtbase", "_", qt_dir):
            _installed.append(qt_base)
        for qm in translation_files(language):
            translator = QTranslator(app)
            if translator.load(str(qm)):
                _installed.append(translator)
        for translator in _installed:
            app.installTranslator(translator)
    QLocale.setDefault(
        QLocale(QLocale.Language.Chinese if language == "zh_CN" else QLocale.Language.English)
    )
    # Qt posts the LanguageChange events; deliver them now so the switch is complete on return
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    if not removed and not _installed:
        # Qt sends LanguageChange only when translators change; widgets still need to hear it
        # (e.g. form labels from the definitions switch from zh_CN to en)
        from PySide6.QtWidgets import QApplication

        if isinstance(app, QApplication):
            for widget in app.topLevelWidgets():
                QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))


def pick(texts: Mapping[str, str] | str | None) -> str:
    """A form definition's label/title dict in the current language (fallbacks: zh_CN, any)."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(_current) or texts.get("zh_CN") or next(iter(texts.values()), "")
