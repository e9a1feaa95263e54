"""The statistics tables written as .xlsx or .pdf by the file's suffix (desktop and servers)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from forms import stats


def write_report(
    report: stats.Report,
    dest: Any,
    *,
    tables: Iterable[str] | None = None,
    lang: str = "zh_CN",
    progress: Any = None,
    cancel: Any = None,
) -> Any:
    """Write ``report`` as .xlsx or .pdf by the file's suffix (ValueError for another one)."""
    path = Path(dest)
    chosen = tuple(tables) if tables is not None else None
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from printing.stats_xlsx import write_stats_xlsx

        return write_stats_xlsx(report, path, tables=chosen, lang=lang)
    if suffix == ".pdf":
        from printing.stats_pdf import write_stats_pdf

        return write_stats_pdf(
            report, path, tables=chosen, lang=lang, progress=progress, cancel=cancel
        )
    raise ValueError(f"{path.name}: the file must end in .xlsx or .pdf")
