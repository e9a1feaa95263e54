"""Operations on an open workspace: the seam the UI (:mod:`desktop.ui`) and the CLI
(:mod:`desktop.cli`) use.

Each module is a small set of typed functions taking a :class:`desktop.store.Workspace`:

- :mod:`desktop.domain.checklists`: funds-review checklists (经费审查) and their rectifications
  ("audit" means only the store's hash-chained log);
- :mod:`desktop.domain.checklist_scan`: reading a ledger into a checklist's doubts;
- :mod:`desktop.domain.assessments`: 职工之家 assessment sessions, and their printing;
- :mod:`desktop.domain.transfers`, :mod:`desktop.domain.transfer_offers`: membership transfers;
- :mod:`desktop.domain.member_import`: importing members from a spreadsheet.

Layering (tests/test_layering.py): ``forms < sync < desktop.store < desktop.reports <
desktop.domain < desktop.link < desktop.ui | desktop.cli``. ``desktop.reports`` renders plain data
and never imports this package.
"""
