"""The Members page (会员): the member roster, searchable over 200k rows, with the entry screen.

The toolbar (``self.toolbar``) is where roster work adds Import / Export / Print roster.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from desktop.ui.export_actions import (
    export_records_action,
    install_roster_actions,
    print_roster_action,
    update_incoming_count,
)
from desktop.ui.pages.records_page import RecordsPage


class MembersPage(RecordsPage):
    form_id = "member"
    nav_icon_name = "member"
    list_fields = [
        "name",
        "gender",
        "id_number",
        "mobile",
        "union",
        "employment_form",
        "join_date",
    ]

    column_widths = {
        "name": 110,
        "gender": 72,
        "id_number": 190,
        "mobile": 130,
        "union": 170,
        "employment_form": 130,
        "join_date": 110,
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        self.union_filter = QComboBox(objectName="UnionFilter")
        self.union_filter.setMinimumWidth(220)
        super().__init__(parent)
        self.filters_row.insertWidget(1, self.union_filter)
        self.union_filter.currentIndexChanged.connect(lambda _i: self.apply_query())
        self.roster_actions = install_roster_actions(self)

    def nav_title(self) -> str:
        return self.tr("Members")

    def search_hint(self) -> str:
        return self.tr("Search by name (part of it), ID number or phone (first digits)")

    def title_of(self, data: dict[str, Any]) -> str:
        return str(data.get("name") or "")

    def refresh_filters(self) -> None:
        current = self.selected_union()
        self.union_filter.blockSignals(True)
        self.union_filter.clear()
        # item data None means "all unions" (the roster actions read it)
        self.union_filter.addItem(self.tr("All unions"), None)
        self._union_ids: list[str | None] = [None]
        for uuid, label in self.references("union"):
            self.union_filter.addItem(label, uuid)
            self._union_ids.append(uuid)
        index = self._union_ids.index(current) if current in self._union_ids else 0
        self.union_filter.setCurrentIndex(index)
        self.union_filter.blockSignals(False)
        update_incoming_count(self)

    def selected_union(self) -> str | None:
        """The uuid of the union chosen in the filter, or None for all unions."""
        ids = getattr(self, "_union_ids", [None])
        index = self.union_filter.currentIndex()
        return ids[index] if 0 <= index < len(ids) else None

    def search_fallback(
        self, search: str, filters: dict[str, Any]
    ) -> tuple[dict[str, Any], str] | None:
        """A search that names one union (e.g. "骑手之家") lists that union's members."""
        if "union" in filters or len(search) < 2:
            return None
        matches = [(u, name) for u, name in self.references("union") if search in name]
        if len(matches) != 1:
            return None
        uuid, name = matches[0]
        return {"union": uuid}, self.tr("members of %1").replace("%1", name)

    def query_filters(self) -> dict[str, Any]:
        union = self.selected_union()
        return {"union": union} if union else {}

    def print_current(self) -> bool:
        """Ctrl+P: the roster of the union in the filter (or of the selected member's union)."""
        print_roster_action(self)
        return True

    def export_current(self) -> bool:
        """Ctrl+E: the members (of the union in the filter) to Excel or CSV."""
        export_records_action(self, "member")
        return True

    def retranslate(self) -> None:
        super().retranslate()
        if self.union_filter.count():
            self.union_filter.setItemText(0, self.tr("All unions"))
        else:
            self.union_filter.addItem(self.tr("All unions"), None)
