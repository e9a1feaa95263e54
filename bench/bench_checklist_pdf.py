"""Printing figures for funds-review checklists (target: a 150-item checklist in under 2 s).

    .venv/bin/python -m bench.bench_checklist_pdf [--items 150] [--repeat 3]

Prints the seconds and pages for the blank checklist, the completed report (a third of the items
non-compliant with findings, some of them long) and the rectification list. Pure printing: the
template and values are built in memory, no workspace.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import tempfile
import time
from pathlib import Path

import forms
from desktop.reports.checklist_pdf import (
    ChecklistReport,
    RectificationLine,
    blank_checklist_pdf,
    completed_checklist_pdf,
    rectifications_pdf,
)
from forms.checklist import blank_rows, rectifications, template_from_raw
from printing.pdf import content_hash
from printing.pdf_text import register_fonts

LONG = (
    "2026年春节、中秋节向全体会员发放超市购物卡，每人面值800元，共计312人，合计249,600.00元；"
    "其中部分购物卡由行政办公室代为采购，未经工会委员会集体研究，发票开具内容为“办公用品”。"
)


def big_template(items: int):
    raw = copy.deepcopy(forms.load_form("audit_checklist").raw)
    areas = raw["x_checklist"]["areas"]
    base = [item for area in areas for item in area["items"]]
    for area in areas:
        area["items"] = []
    for n in range(items):
        src = dict(base[n % len(base)], id=f"item_{n:03d}")
        areas[n * len(areas) // items]["items"].append(src)
    raw["version"] = 99
    form = forms.load_form_dict(raw)
    return form, template_from_raw(form.raw)


def filled(template) -> dict:
    rows = blank_rows(template)
    for n, row in enumerate(rows):
        if n % 3 == 0:
            row.update(
                result="noncompliant",
                amount=12345 + n,
                finding=f"问题{n}：" + LONG * (1 + n % 4),
                evidence=f"凭证{n}",
                rectify=True,
                owner="王会计",
                deadline="2026-08-31",
            )
        else:
            row["result"] = "compliant"
    return {
        "union_name": "杭州某某机械有限公司工会委员会",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "auditors": "张审计、李经审",
        "audit_date": "2026-07-10",
        "items": rows,
    }


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) — CPU time stays honest on a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = parser.parse_args()
    if args.smoke:
        args.items, args.repeat = 12, 1
    register_fonts()
    form, template = big_template(args.items)
    data = filled(template)
    report = ChecklistReport(
        template,
        data,
        "杭州某某机械有限公司工会委员会",
        "西溪街道总工会",
        "0b6f7a56-8f8e-4f0e-9d6a-1c2b3c4d5e6f",
        4,
        content_hash(data),
        True,
    )
    lines = [
        RectificationLine(
            data["union_name"],
            template.item(r.item_id).text(),
            r.finding,
            r.amount,
            r.owner,
            r.deadline,
            r.state,
            r.days_left,
        )
        for r in rectifications(data, dt.date(2026, 9, 10))
    ]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        jobs = {
            "blank checklist": lambda: blank_checklist_pdf(
                out / "b.pdf", template, template_hash=form.hash
            ),
            "completed report": lambda: completed_checklist_pdf(out / "c.pdf", report),
            "rectification list": lambda: rectifications_pdf(
                out / "r.pdf", lines, today=dt.date(2026, 9, 10)
            ),
        }
        print(
            f"{args.items}-item checklist, {len(lines)} rectifications; best of {args.repeat} runs"
        )
        from pypdf import PdfReader

        for name, job in jobs.items():
            runs = [timed(job) for _ in range(args.repeat)]
            wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            pages = len(PdfReader(next(p for p in out.iterdir() if p.name[0] == name[0])).pages)
            mark = "ok" if wall < 2.0 else ("ok (CPU; machine busy)" if cpu < 2.0 else "SLOW")
            print(f"  {name:20s} wall {wall:5.2f} s  cpu {cpu:5.2f} s  {pages:3d} pages  {mark}")


if __name__ == "__main__":
    main()
