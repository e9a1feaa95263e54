"""The main window's pages: one Page per navigation entry (see pages/base.py)."""
