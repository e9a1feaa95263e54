"""Generated records for the differential test of ``forms.validate`` (test_validate_differential).

Valid base records of the member, union, assessment and audit checklist forms (as a clerk types
them and as they are stored), mutated at random in every way a record can fail: keys missing,
empty or wrong-typed values, bad dates (year-month precision included), bad resident IDs,
unknown choices, bad repeat groups, rule failures, unknown keys. Deterministic for a seed.

``python -m tests.forms.validate_cases`` writes ``validate_expected.json`` from the code checked
out: it was captured from branch integ's ``forms/validate.py`` (before the plan rewrite), so
the test compares the current code with what the old code answered for the same records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import forms
from forms.dates import MonthDate

EXPECTED = Path(__file__).with_name("validate_expected.json")
UNION_UUID = "0b8f3e2a-1c4d-4e5f-9a6b-7c8d9e0f1a2b"
TODAYS = (dt.date(2026, 11, 23), dt.date(2019, 5, 20), dt.date(2026, 12, 7), dt.date(1990, 1, 1))
#: form id -> number of generated records
SIZES = {"member": 2500, "union": 800, "assessment": 500, "audit_checklist": 400}


def _ric(body: str) -> str:
    return body + forms.resident_id_check_char(body)


GENERIC: list[Any] = [
    None,
    "",
    "   ",
    "\u3000",
    0,
    1,
    -1,
    2,
    1.5,
    float("nan"),
    float("inf"),
    True,
    False,
    [],
    {},
    ["a"],
    {"a": 1},
    ("x",),
    b"bytes",
    "abc",
    " 张三 ",
    "x" * 201,
    dt.date(2020, 1, 1),
    dt.datetime(2020, 1, 1, 12, 30),
    MonthDate(2019, 5),
    Decimal("12.5"),
    Decimal("NaN"),
]
DATES: list[Any] = [
    "2019-05-20",
    "2019-5-20",
    "2019/05/20",
    "2019.5.20",
    "2019年5月20日",
    "2019 年 5 月 20 日",
    "20190520",
    "2019-05",
    "2019.05",
    "2019/5",
    "2019年5月",
    "201905",
    "2019-13",
    "2019-00",
    "2019-13-01",
    "2019-02-30",
    "2019-02-29",
    "2020-02-29",
    "1799-12-31",
    "1799-12",
    "1800-01-01",
    "1899-05",
    "1950-01-01",
    "1975-06-01",
    "1990-01",
    "2099-01-01",
    "2026-11",
    "2026-12",
    "2026-11-23",
    "2026-11-24",
    "２０１９－０５－２０",
    "２０１９年５月",
    "2019-05-20 10:30",
    "2019-05-20T10:30:00",
    "2019-5-20 ",
    "abc",
    "2019--05",
    "2019-05-20-01",
    "19-05-20",
    dt.date(1960, 1, 1),
    dt.date(2030, 1, 1),
    MonthDate(1899, 12),
    MonthDate(2026, 12),
]
IDS: list[Any] = [
    _ric("11010519491231002"),
    _ric("11010519491231002").lower(),
    _ric("33010619600101001"),
    "330106196001010010",  # checksum
    "33010619600101001",  # length
    "110105491231002",  # 15-digit legacy
    "99010519491231002X",  # region
    _ric("33010619601301001"),  # month 13
    _ric("33010618990101001"),  # before 1900
    _ric("33010620300101001"),  # born in the future
    "3301 0619 6001 0100 14",
    "３３０１０６１９６００１０１００１４",
    "A1234567",
    "E12345678",
    "12",
    330106196001010014,
]
MOBILES: list[Any] = [
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "+86 13800138000",
    "1380013800",
    "23800138000",
    13800138000,
    13800138000.0,
    "0571-88888888",
]
NUMBERS: list[Any] = [
    "12",
    "12.5",
    "1,234",
    "￥12.30元",
    "-5",
    "1e5",
    "10000000000000000",
    "１２",
    12,
    300,
    -3,
    0,
    Decimal("1.234"),
    12.0,
    "12.345",
]
BOOLEANS: list[Any] = ["是", "否", "yes", "Y", "1", "0", 0, 1, 2, "maybe", "√", "×", True]
UUIDS: list[Any] = [
    UNION_UUID,
    UNION_UUID.upper(),
    "{" + UNION_UUID + "}",
    "urn:uuid:" + UNION_UUID,
    UNION_UUID.replace("-", ""),
    UNION_UUID[:-1],
    "not-a-uuid",
]
YEARS: list[Any] = ["2026", "2026年", 1899, 2101, "abc", 2026, "2026.0"]
TEXTS: list[Any] = ["张三", "张\t三", "张  三", "a", "x" * 199, "x" * 300, "  ", "ok\nok"]


def _pool(f: Any) -> list[Any]:
    t = f.type
    if t in ("date", "datetime"):
        return DATES
    if t in ("id_document", "resident_id"):
        return IDS
    if t == "mobile":
        return MOBILES
    if t in ("integer", "decimal", "money"):
        return NUMBERS
    if t == "boolean":
        return BOOLEANS
    if t == "reference":
        return UUIDS
    if t == "year":
        return YEARS
    if t in ("choice", "multi_choice"):
        out: list[Any] = ["unknown", "其他?"]
        for c in f.choices:
            out += [c.value, c.value.upper(), *c.label.values(), *c.aliases]
        if t == "multi_choice":
            vals = [c.value for c in f.choices]
            out += [",".join(vals[:2]), vals[:3], "、".join(vals[:1] + ["nope"])]
        return out
    return TEXTS


def _member_typed(rng: random.Random) -> dict[str, Any]:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(14000))
    seq = rng.randrange(1, 999)
    idn = _ric(f"330106{born:%Y%m%d}{seq:03d}")
    joined = born + dt.timedelta(days=365 * 18 + rng.randrange(1500))
    new_form = rng.random() < 0.2
    rec: dict[str, Any] = {
        "union": UNION_UUID,
        "name": rng.choice("王李张刘") + rng.choice(["伟", "芳娜", "敏"]),
        "id_type": rng.choice(["居民身份证", "resident_id"]),
        "id_number": idn.lower() if rng.random() < 0.3 else idn,
        "gender": ("男" if seq % 2 else "女") if rng.random() < 0.5 else "",
        "birth_date": f"{born.year}/{born.month}/{born.day}" if rng.random() < 0.5 else "",
        "ethnicity": "汉族",
        "mobile": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "education": rng.choice(["初中", "本科", ""]),
        "political_status": rng.choice(["群众", "中共党员"]),
        "household_type": rng.choice(["城镇", "农业"]),
        "employer": "杭州市西溪机械有限公司",
        "employment_status": "在岗",
        "employment_form": "新就业形态" if new_form else "标准劳动关系",
        "new_form_kind": "快递员" if new_form else "",
        "migrant_worker": rng.choice(["是", "否"]),
        "hardship": "否",
        "join_date": rng.choice([joined.isoformat(), f"{joined.year}.{joined.month:02d}"]),
        "card_number": f"HZ{rng.randrange(10**8):08d}",
        "member_type": "普通会员",
    }
    if rng.random() < 0.5:
        rec["changes"] = [{"kind": "入会", "date": joined.isoformat(), "reason": "新入职"}]
        if rng.random() < 0.5:
            rec["changes"].append(
                {"kind": "transfer_in", "date": "2021-03-04", "from_union": UNION_UUID}
            )
    return rec


def _member_stored(rng: random.Random, form: Any) -> dict[str, Any]:
    stored = forms.validate(form, _member_typed(rng), today=TODAYS[0]).values
    return {k: v for k, v in stored.items() if v is not None or rng.random() < 0.5}


def _union(rng: random.Random) -> dict[str, Any]:
    n = rng.randrange(10_000)
    return {
        "full_name": f"杭州示例{n}科技有限公司工会委员会",
        "union_type": "independent",
        "status": "active",
        "founded_date": "2020-01-02",
        "employer_name": f"杭州示例{n}科技有限公司",
        "employer_nature": "enterprise_domestic",
        "division_code": rng.choice(["330106001", "330106", "110105"]),
        "employees": 10 + n % 300,
        "members": 8 + n % 3,
        "female_employees": 3,
        "chair_name": "张三",
        "address": f"杭州市西湖区文三路{n}号",
    }


def _assessment(rng: random.Random, form: Any) -> dict[str, Any]:
    from forms import assessment as rules

    variant = "standard"
    template = rules.template_from_form(form.raw, variant)
    tally = {
        i.id: {"satisfied": rng.randrange(4), "basic": rng.randrange(3), "unsatisfied": 1}
        for i in template.items
    }
    turnout = {"eligible": 10, "attendees": 8, "issued": 6, "returned": 6, "invalid": 1}
    data: dict[str, Any] = {
        "union": UNION_UUID,
        "year": 2026,
        "template_version": form.version,
        "template_variant": variant,
        **turnout,
        "entry_mode": "totals",
        "counts": [
            {"item": i, "grade": g, "count": c} for i, r in tally.items() for g, c in r.items()
        ],
    }
    result = rules.compute_result(template, rules.Turnout(*turnout.values()), tally)
    if result.ok:
        data["result"] = json.dumps(result.as_dict(), ensure_ascii=False, sort_keys=True)
    return data


def _checklist(rng: random.Random, form: Any) -> dict[str, Any]:
    from forms.checklist import blank_rows, template_from_raw

    results = ["compliant", "compliant", "compliant", "na", "", "noncompliant"]
    rows = []
    for r in blank_rows(template_from_raw(form.raw)):
        row = {**r, "result": rng.choice(results)}
        if row["result"] == "noncompliant":
            row.update(finding="账实不符", rectify=True, owner="李四", deadline="2026-03-01")
        rows.append(row)
    return {
        "union_name": "测试工会",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "auditors": "张三",
        "audit_date": "2026-02-01",
        "items": rows,
    }


def _base(form_id: str, form: Any, rng: random.Random) -> dict[str, Any]:
    if form_id == "member":
        return _member_typed(rng) if rng.random() < 0.6 else _member_stored(rng, form)
    if form_id == "union":
        return _union(rng)
    if form_id == "assessment":
        return _assessment(rng, form)
    return _checklist(rng, form)


def _mutate_value(f: Any, rng: random.Random) -> Any:
    pool = _pool(f) if rng.random() < 0.75 else GENERIC
    return rng.choice(pool)


def _mutate_group(g: Any, rows: Any, rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.08:
        return rng.choice(["abc", {"a": 1}, 5, None, "", (), b"x"])
    if pick < 0.14:
        return [rng.choice([1, "x", None, []])] + (list(rows) if isinstance(rows, list) else [])
    if pick < 0.18:
        one = rows[0] if isinstance(rows, list) and rows else {}
        return [dict(one) for _ in range(g.max_rows + 1)]
    if pick < 0.22:
        return []
    rows = [dict(r) for r in rows if isinstance(r, dict)] if isinstance(rows, list) else [{}]
    if not rows:
        rows = [{}]
    for _ in range(rng.randint(1, 3)):
        row = rng.choice(rows)
        f = rng.choice(g.fields)
        if rng.random() < 0.2:
            row.pop(f.id, None)
        else:
            row[f.id] = _mutate_value(f, rng)
    if rng.random() < 0.1:
        rows[0]["not_a_field"] = 1
    return rows


def _mutated(form: Any, base: dict[str, Any], rng: random.Random) -> Any:
    if rng.random() < 0.01:
        return rng.choice([[], "abc", None, 5])
    data = dict(base)
    k = rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 5])
    for _ in range(k):
        f = rng.choice(form.fields)
        if f.type == "repeat":
            data[f.id] = _mutate_group(f, data.get(f.id), rng)
        elif rng.random() < 0.15:
            data.pop(f.id, None)
        else:
            data[f.id] = _mutate_value(f, rng)
    if rng.random() < 0.05:
        data[rng.choice(["unknown_field", "x" * 150, "备注"])] = "?"
    return data


def cases(form_id: str, seed: int = 20) -> list[tuple[Any, dt.date, bool]]:
    """(data, today, final) for ``SIZES[form_id]`` generated records."""
    form = forms.load_form(form_id)
    rng = random.Random(f"{form_id}-{seed}")
    out = []
    for _ in range(SIZES[form_id]):
        data = _mutated(form, _base(form_id, form, rng), rng)
        today = TODAYS[0] if rng.random() < 0.7 else rng.choice(TODAYS)
        out.append((data, today, rng.random() < 0.7))
    return out


def shape(result: Any) -> str:
    """Everything a caller can see of a result, as text (types, order and params included)."""
    return repr(
        (
            result.ok,
            [(k, v.__class__.__name__, v) for k, v in result.values.items()],
            [(e.code, e.field, e.params) for e in result.errors],
            [(e.code, e.field, e.params) for e in result.warnings],
            sorted(result.hidden),
        )
    )


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def summary(result: Any) -> str:
    """The error / warning codes (to read a failing case without the old code at hand)."""
    return (
        " ".join(e.code for e in result.errors) + " | " + " ".join(e.code for e in result.warnings)
    )


def inputs_digest(items: list[tuple[Any, dt.date, bool]]) -> str:
    return digest(repr(items))


def capture() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for form_id in SIZES:
        form = forms.load_form(form_id)
        items = cases(form_id)
        rows = []
        for data, today, final in items:
            r = forms.validate(form, data, today=today, final=final)
            rows.append([digest(shape(r)), summary(r)])
        out[form_id] = {"inputs": inputs_digest(items), "results": rows}
    return out


if __name__ == "__main__":
    EXPECTED.write_text(json.dumps(capture(), ensure_ascii=False, indent=0) + "\n")
    print(f"wrote {EXPECTED}", file=sys.stderr)
