"""Member-form validation throughput (records/s) on generated realistic rows.

Run: ``.venv/bin/python -m bench.bench_validate [rows] [repeat] [--smoke]``. Rows come as a clerk or a spreadsheet
gives them (strings). The baseline is a json round trip of the same rows in the same run, so the
ratio says how much work validation adds over merely copying the data.

Measured 2026-12-07, A/B interleaved, integ vs branch valid (load 3-4 on 2 cores: noisy), best
of 3, CPU: 20,000 typed rows 33.2-37.3 us/record (integ) vs 32.7-33.3 (valid); a per-process
micro-run (20,000 typed rows / 5,000 stored members, final) gave typed 26.9-28.8 -> 24.6-25.9 us,
stored 18.8-21.6 -> 17.9-20.1 us. Gains ~5-10 %: integ's validator was already plan-based.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from typing import Any

import forms

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
DIVISIONS = ["330106", "330102", "110105", "440305", "510107", "370202", "420106", "320106"]
EDU = ["初中", "高中", "中专", "大专", "本科", "研究生"]
POL = ["群众", "中共党员", "共青团员"]


def resident_id(rng: random.Random) -> tuple[str, dt.date, str]:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(14000))
    seq = rng.randrange(1, 999)
    first17 = f"{rng.choice(DIVISIONS)}{born:%Y%m%d}{seq:03d}"
    gender = "男" if seq % 2 else "女"
    return first17 + forms.resident_id_check_char(first17), born, gender


def make_rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        idn, born, gender = resident_id(rng)
        joined = born + dt.timedelta(days=365 * 18 + rng.randrange(1500))
        new_form = rng.random() < 0.1
        rows.append(
            {
                "union": "0b8f3e2a-1c4d-4e5f-9a6b-7c8d9e0f1a2b",
                "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                "id_type": "居民身份证",
                "id_number": idn.lower(),
                "gender": gender,
                "birth_date": f"{born.year}/{born.month}/{born.day}",
                "ethnicity": "汉族",
                "mobile": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                "education": rng.choice(EDU),
                "political_status": rng.choice(POL),
                "household_type": rng.choice(["城镇", "农业"]),
                "employer": "杭州市西溪机械有限公司",
                "employment_status": "在岗",
                "employment_form": "新就业形态" if new_form else "标准劳动关系",
                "new_form_kind": "快递员" if new_form else "",
                "migrant_worker": rng.choice(["是", "否"]),
                "hardship": "否",
                "join_date": joined.isoformat(),
                "card_number": f"HZ{rng.randrange(10**8):08d}",
                "member_type": "普通会员",
                "changes": [{"kind": "入会", "date": joined.isoformat(), "reason": "新入职"}],
            }
        )
    return rows


def _best(fn: Any, repeat: int) -> tuple[float, float]:
    """(best CPU seconds, best wall seconds) of ``repeat`` runs of ``fn``."""
    cpu, wall = float("inf"), float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return cpu, wall


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv  # tiny size, a few seconds
    argv = [a for a in argv if a != "--smoke"]
    n = int(argv[1]) if len(argv) > 1 else (300 if smoke else 20_000)
    repeat = int(argv[2]) if len(argv) > 2 else (1 if smoke else 3)
    form = forms.load_form("member")
    rows = make_rows(n)
    today = dt.date(2026, 11, 23)
    results: list[Any] = []

    def run_validate() -> None:
        results[:] = [forms.validate(form, r, today=today) for r in rows]

    def run_json() -> None:
        [json.loads(json.dumps(r, ensure_ascii=False)) for r in rows]

    base_cpu, base_wall = _best(run_json, repeat)
    val_cpu, val_wall = _best(run_validate, repeat)
    bad = sum(not r.ok for r in results)
    print(f"member form v{form.version}: {n} realistic rows typed as strings, {bad} with errors")
    print(
        f"validate        : {n / val_cpu:10,.0f} records/s CPU  ({val_cpu * 1e6 / n:6.1f} us/record)"
        f"  {n / val_wall:10,.0f} records/s wall"
    )
    print(
        f"json round trip : {n / base_cpu:10,.0f} records/s CPU  ({base_cpu * 1e6 / n:6.1f} us/record)"
        f"  (baseline: a dumps+loads copy of the same rows)"
    )
    print(f"ratio           : validate costs {val_cpu / base_cpu:.1f}x a json round trip")
    print(f"a 100k-row import spends {100_000 * val_cpu / n:.1f} s CPU validating")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
