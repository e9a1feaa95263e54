"""The Qt user interface: the only package that imports PySide6.

Importing it first works around a reference-count bug of PySide6 6.12.0 on Python 3.11: every
Qt method that returns nothing (``setText``, ``setVisible``, ``setEnabled`` …) hands back
``None`` without taking a new reference, and ``signal.emit()`` does the same with its
``True``/``False`` result, so each call lowers that object's reference count by one. After a
few thousand calls the count reaches zero and the interpreter aborts ("none_dealloc:
deallocating None", "bool_dealloc"). From Python 3.12 these objects are immortal and the bug
is harmless; on 3.11 we give them a reference count no program can use up.
"""

from __future__ import annotations

import sys


def _make_singletons_immortal() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for obj in (None, True, False):
        # CPython: ob_refcnt is the first field of every object, at the address id() gives
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


_make_singletons_immortal()
