"""A table model over ``ws.records.query`` / ``count`` with a paged row cache.

Only the rows in view are fetched (pages of :data:`PAGE_SIZE`), so 200k members scroll smoothly.
Search, filters, status and sort order go to the store; a change notice drops the cache.
Sensitive columns show the values masked by the store; :meth:`RecordTableModel.unmask` asks the store (role
checked and audited there) and shows that one value until the next refresh or lock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.ui.display import display_value
from desktop.ui.errors_text import status_text
from desktop.ui.i18n import pick
from desktop.ui.icons import status_icon
from desktop.ui.sync_text import reason_text

if TYPE_CHECKING:
    from desktop.store import Workspace

PAGE_SIZE = 100
MAX_PAGES = 100
STATUS_COLUMN = "_status"
UPDATED_COLUMN = "_updated"
RETURNED_BRUSH = QBrush(QColor("#fdecec"))
REJECTED_BRUSH = QBrush(QColor("#fff4e5"))
RecordRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    """One list column: a form field id, or ``_status`` / ``_updated``."""

    key: str
    field: Any = None  # forms Field (None for the status / updated columns)

    @property
    def sensitive(self) -> bool:
        return bool(getattr(self.field, "sensitive", False))


def columns_for(form: Any, field_ids: list[str]) -> list[Column]:
    """The status column, then the named fields of ``form`` that exist."""
    cols = [Column(STATUS_COLUMN)]
    for fid in field_ids:
        try:
            cols.append(Column(fid, form.field(fid)))
        except (KeyError, LookupError):
            continue
    return cols


class RecordTableModel(QAbstractTableModel):
    """Rows of one form's records as the store returns them, fetched page by page."""

    def __init__(
        self,
        form: Any,
        columns: list[Column],
        parent: QObject | None = None,
        ref_name: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self.columns = columns
        self.ref_name = ref_name
        self.ws: Workspace | None = None
        self.search: str | None = None
        self.filters: dict[str, Any] = {}
        self.status: str | None = None
        self.order_by: str | None = None
        self.descending = False
        self._count = 0
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._unmasked: dict[tuple[str, str], str] = {}

    # -- the query -------------------------------------------------------------------------
    def set_workspace(self, ws: Workspace | None) -> None:
        self.ws = ws
        self._unmasked.clear()
        self.reload()

    def set_query(
        self,
        *,
        search: str | None = None,
        filters: dict[str, Any] | None = None,
        status: str | None = None,
    ) -> None:
        self.search = search or None
        self.filters = dict(filters or {})
        self.status = status or None
        self.reload()

    def reload(self) -> None:
        """Count again and drop the row cache (after a change notice or a new query)."""
        self.beginResetModel()
        self._pages.clear()
        self._unmasked.clear()  # shown in clear only until the list reloads
        self._count = self._fetch_count() if self.ws is not None else 0
        self.endResetModel()

    def _query_args(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "filters": self.filters or None,
            "status": self.status,
        }

    def _fetch_count(self) -> int:
        return int(self.ws.records.count(self.form.id, **self._query_args()))

    def _page(self, number: int) -> list[Any]:
        page = self._pages.get(number)
        if page is None:
            page = self.ws.records.query(
                self.form.id,
                **self._query_args(),
                order_by=self.order_by,
                descending=self.descending,
                limit=PAGE_SIZE,
                offset=number * PAGE_SIZE,
            )
            self._pages[number] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page

    def record(self, row: int) -> Any:
        """The Record shown in ``row`` (fetching its page when needed)."""
        if self.ws is None or not 0 <= row < self._count:
            return None
        page = self._page(row // PAGE_SIZE)
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def unmask(self, row: int, column: int) -> str | None:
        """Show the clear value of a sensitive cell (the store checks the role and audits)."""
        rec = self.record(row)
        col = self.columns[column]
        if rec is None or not col.sensitive:
            return None
        value = self.ws.records.unmask(rec.uuid, col.key)
        self._unmasked[(rec.uuid, col.key)] = value
        index = self.index(row, column)
        self.dataChanged.emit(index, index)
        return value

    # -- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        col = self.columns[section]
        if col.key == STATUS_COLUMN:
            return self.tr("Status")
        if col.key == UPDATED_COLUMN:
            return self.tr("Last change")
        return pick(col.field.label)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        rec = self.record(index.row())
        if rec is None:
            return None
        col = self.columns[index.column()]
        if role == RecordRole:
            return rec
        if role == Qt.ItemDataRole.BackgroundRole:
            if rec.status == "returned":
                return RETURNED_BRUSH
            if rec.status == "rejected":
                return REJECTED_BRUSH
            return None
        if role == Qt.ItemDataRole.ToolTipRole:  # a long (elided) name in full, then the status
            full = "" if col.key == STATUS_COLUMN else self.data(index)
            return f"{full}\n{self._tooltip(rec)}" if full else self._tooltip(rec)
        if col.key == STATUS_COLUMN:
            if role == Qt.ItemDataRole.DecorationRole:
                return status_icon(rec.status)
            if role == Qt.ItemDataRole.DisplayRole:
                return status_text(rec.status)
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col.key == UPDATED_COLUMN:
            return str(rec.updated_at or "")[:16].replace("T", " ")
        value = rec.data.get(col.key)
        if col.sensitive:
            clear = self._unmasked.get((rec.uuid, col.key))
            return clear if clear is not None else ("" if value is None else str(value))
        return display_value(col.field, value, self.ref_name)

    def _tooltip(self, rec: Any) -> str:
        text = status_text(rec.status)
        if rec.status in ("returned", "rejected") and rec.comment:
            text += "\n" + self.tr("County's comment: %1").replace("%1", str(rec.comment))
        if rec.sync_errors:  # the server's reasons, from the verdict stored with its receipt
            reasons = "; ".join(reason_text(e) for e in rec.sync_errors)
            text += "\n" + self.tr("Refused by the county server: %1").replace("%1", reasons)
        return text

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.columns[column].key
        self.order_by = {STATUS_COLUMN: "status", UPDATED_COLUMN: "updated_at"}.get(key, key)
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()
