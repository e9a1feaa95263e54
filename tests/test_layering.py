"""The layering of DESIGN.md, checked on the source: imports only point down."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forms", "printing", "sync", "desktop")

# Modules whose presence in forms/ would mean I/O beyond reading definitions.
FORMS_FORBIDDEN_MODULES = {
    "socket",
    "subprocess",
    "shutil",
    "tempfile",
    "sqlite3",
    "sqlcipher3",
    "sqlite_utils",
    "requests",
    "urllib",
    "http",
    "asyncio",
    "multiprocessing",
    "logging",
    "PySide6",
}
WRITE_METHODS = {
    "write_text",
    "write_bytes",
    "unlink",
    "mkdir",
    "rmdir",
    "rename",
    "touch",
    "replace",
}


def python_files(package: str) -> Iterator[Path]:
    yield from (ROOT / package).rglob("*.py")


def imported_modules(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def top(module: str) -> str:
    return module.split(".")[0]


def test_only_desktop_ui_imports_pyside6() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {mod}"
        for package in PACKAGES
        for path in python_files(package)
        if not path.relative_to(ROOT).as_posix().startswith("desktop/ui/")
        for mod in imported_modules(path)
        if top(mod) in {"PySide6", "shiboken6"}
    ]
    assert offenders == []


def test_forms_and_sync_never_import_desktop() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {mod}"
        for package in ("forms", "sync")
        for path in python_files(package)
        for mod in imported_modules(path)
        if top(mod) == "desktop"
    ]
    assert offenders == []


def test_printing_imports_only_forms_and_its_libraries() -> None:
    """printing/ sits between forms/ and sync/: the desktop and the servers both print with it."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {mod}"
        for path in python_files("printing")
        for mod in imported_modules(path)
        if top(mod) in {"desktop", "sync", "PySide6", "shiboken6", "sqlalchemy", "fastapi"}
    ]
    assert offenders == []


def test_forms_never_imports_printing() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {mod}"
        for path in python_files("forms")
        for mod in imported_modules(path)
        if top(mod) == "printing"
    ]
    assert offenders == []


def test_forms_never_imports_sync() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {mod}"
        for path in python_files("forms")
        for mod in imported_modules(path)
        if top(mod) == "sync"
    ]
    assert offenders == []


def test_forms_does_no_io_beyond_reading_definitions() -> None:
    offenders: list[str] = []
    for path in python_files("forms"):
        rel = path.relative_to(ROOT)
        offenders += [
            f"{rel} imports {m}"
            for m in imported_modules(path)
            if top(m) in FORMS_FORBIDDEN_MODULES
        ]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
                offenders.append(f"{rel}:{node.lineno} calls .{func.attr}()")
            if isinstance(func, ast.Name) and func.id == "open":
                modes = [a for a in node.args[1:2]] + [
                    k.value for k in node.keywords if k.arg == "mode"
                ]
                for mode in modes:
                    if not (isinstance(mode, ast.Constant) and set(str(mode.value)) <= set("rbt")):
                        offenders.append(f"{rel}:{node.lineno} opens a file for writing")
    assert offenders == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The import walker itself finds a PySide6 import (so the checks above can fail)."""
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport desktop.store\n")
    assert {top(m) for m in imported_modules(sample)} == {"PySide6", "desktop"}
