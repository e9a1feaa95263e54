"""Printouts (PDF) and spreadsheet import / export. No Qt."""
