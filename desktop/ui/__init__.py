"""The Qt user interface: the only package that imports PySide6.

PySide6 is pinned below 6.12: 6.12.0 on Python 3.11 drops a reference to ``None`` on every Qt
method that returns nothing and to ``True``/``False`` on every ``signal.emit()``, so a working
day of clicks aborts the program ("deallocating None"). tests/ui/test_pyside_refcount.py guards
the pin.
"""
