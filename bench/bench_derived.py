"""What the derived-result check (forms/derived.py) adds to validating an assessment session.

Run: ``.venv/bin/python -m bench.bench_derived [records] [--smoke]``. Compares ``forms.validate`` of a
six-item session with its stored result (final: recomputed and compared) against the same
session as a draft without a result (fields only). Sessions are one per union per year, so even
a county's whole year is a few thousand of them.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import forms
from forms import assessment as rules


def session() -> dict[str, Any]:
    form = forms.load_form("assessment")
    template = rules.template_from_form(form.raw)
    tally = {i.id: {"satisfied": 30, "basic": 10, "unsatisfied": 5} for i in template.items}
    result = rules.compute_result(template, rules.Turnout(60, 50, 50, 46, 1), tally)
    return {
        "union": "0190e8e0-0000-7000-8000-000000000001",
        "year": 2026,
        "template_version": form.version,
        "template_variant": template.variant,
        "eligible": 60,
        "attendees": 50,
        "issued": 50,
        "returned": 46,
        "invalid": 1,
        "entry_mode": "totals",
        "counts": [
            {"item": i, "grade": g, "count": n} for i, r in tally.items() for g, n in r.items()
        ],
        "result": json.dumps(result.as_dict(), sort_keys=True),
    }


def per_record(form: Any, data: dict[str, Any], final: bool, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        assert forms.validate(form, data, final=final).ok
    return (time.process_time() - start) / n * 1e6


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv  # tiny size, a few seconds
    argv = [a for a in argv if a != "--smoke"]
    n = int(argv[1]) if len(argv) > 1 else (50 if smoke else 2000)
    form = forms.load_form("assessment")
    data = session()
    draft = {k: v for k, v in data.items() if k != "result"}
    with_check = per_record(form, data, True, n)
    fields_only = per_record(form, draft, False, n)
    print(f"fields only (draft, no result) : {fields_only:8.0f} us/record CPU")
    print(f"with the derived-result check  : {with_check:8.0f} us/record CPU")
    print(f"a county's 5,000 sessions      : {with_check * 5000 / 1e6:8.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
