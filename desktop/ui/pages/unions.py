"""The Unions page (基层工会): the grassroots unions of this township, and their records."""

from __future__ import annotations

from typing import Any

from desktop.ui.pages.records_page import RecordsPage


class UnionsPage(RecordsPage):
    form_id = "union"
    nav_icon_name = "union"
    list_fields = [
        "full_name",
        "union_type",
        "employer_name",
        "members",
        "female_members",
        "chair_name",
        "status",
    ]

    column_widths = {
        "full_name": 260,
        "union_type": 120,
        "employer_name": 240,
        "members": 80,
        "female_members": 90,
        "chair_name": 90,
        "status": 70,
    }

    def nav_title(self) -> str:
        return self.tr("Unions")

    def search_hint(self) -> str:
        return self.tr("Search by union or employer name, or credit code")

    def export_current(self) -> bool:
        """Ctrl+E: every union to Excel or CSV."""
        from desktop.ui.export_actions import export_records_action

        export_records_action(self, "union")
        return True

    def title_of(self, data: dict[str, Any]) -> str:
        return str(data.get("short_name") or data.get("full_name") or "")
