"""Printing: the PDF layer and the statistics tables' renderers (PDF, .xlsx). No Qt.

Below ``sync`` and ``desktop`` (DESIGN.md): it imports ``forms``, reportlab, segno and openpyxl
only, so the desktop program and the county / provincial server write the same files.
"""
