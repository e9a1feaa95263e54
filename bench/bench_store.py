"""Benchmark of the encrypted workspace (not a test): prints figures, encrypted vs plain SQLite.

    .venv/bin/python -m bench.bench_store [--members 200000] [--samples 200]

The same operations run twice in one process: on a real SQLCipher workspace and on an identical
workspace whose database is plain SQLite (the store's ``db.create``/``db.connect`` swapped for
key-less versions, here only). Reported: bulk save rate (with validation), single save p50/p95
with the members present, search p95 by name fragment (2 and 3 characters) and by ID-number and
phone prefix (page of 50 + total count, as a table view does), a page deep into the list ordered
by name, unlock time (default Argon2id) and a full integrity check.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

import forms
from desktop.store import KdfParams, Workspace, db

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬斌鹏辉"
PASSWORD = "bench-password-1"


def resident_id(i: int) -> str:
    body = f"{110101 + (i // 900000) % 50:06d}{1960 + (i // 336) % 40:04d}{1 + (i // 28) % 12:02d}{1 + i % 28:02d}{(i // 13440) % 500 * 2 + 1:03d}"
    return body + forms.resident_id_check_char(body)


def member(i: int, union_uuid: str) -> dict[str, Any]:
    idn = resident_id(i)
    r = random.Random(i)
    return {
        "union": union_uuid,
        "name": r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2)))),
        "id_type": "resident_id",
        "id_number": idn,
        "gender": "male",
        "birth_date": f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}",
        "ethnicity": "汉族",
        "mobile": f"1{3 + i % 7}{i:09d}",
        "employer": f"测试企业{i % 500}有限公司",
        "employment_form": "standard",
        "join_date": "2020-01-01",
        "member_type": "普通",
    }


UNION = {
    "full_name": "杭州测试有限公司工会委员会",
    "union_type": "independent",
    "status": "active",
    "founded_date": "2015-03-01",
    "employer_name": "杭州测试有限公司",
    "employer_nature": "enterprise_domestic",
    "division_code": "330106",
    "employees": 100,
    "members": 80,
}


@contextlib.contextmanager
def plain_sqlite() -> Iterator[None]:
    """Swap in key-less database opening (plain SQLite files) for the comparison run."""
    saved = db.create, db.connect

    def create(path: Path, key: bytes) -> Any:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA temp_store = MEMORY")
        return conn

    def connect(path: Path, key: bytes) -> Any:
        conn = create(path, key)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn

    db.create, db.connect = create, connect
    try:
        yield
    finally:
        db.create, db.connect = saved


def timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


class Results(dict):  # type: ignore[type-arg]
    """Figures of one run, each printed as soon as it is measured."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def __setitem__(self, key: str, value: float) -> None:
        super().__setitem__(key, value)
        print(f"  [{self.label}] {key}: {value:.2f}", flush=True)


def run(folder: Path, members: int, samples: int, kdf: KdfParams, label: str) -> dict[str, float]:
    res = Results(label)
    ws, _ = Workspace.create(folder, org_unit_code="330106001", admin_password=PASSWORD, kdf=kdf)
    union_uuid = ws.records.save("union", UNION).uuid
    rows = [member(i, union_uuid) for i in range(members)]
    t = time.perf_counter()
    bulk = ws.records.save_many("member", rows, chunk_size=2000)
    dt = time.perf_counter() - t
    res["bulk save, members/s (incl. validation)"] = len(bulk.saved) / dt
    res["bulk save of all members, s"] = dt
    ws.close(backup=False)
    t = time.perf_counter()
    ws = Workspace.open(folder, user="admin", password=PASSWORD, kdf=kdf, verify=False)
    res["unlock + open, ms (Argon2id 64 MiB t=3)"] = (time.perf_counter() - t) * 1000
    rng = random.Random(1)
    extra = iter(range(members, members + 10 * samples))
    res_single = timed(lambda: ws.records.save("member", member(next(extra), union_uuid)), samples)
    res["single save p50, ms"] = pct(res_single, 50)
    res["single save p95, ms"] = pct(res_single, 95)
    names = [r.data["name"] for r in ws.records.query("member", limit=samples * 2)]

    def page(search: str) -> None:
        ws.records.query("member", search=search, limit=50)
        ws.records.count("member", search=search)

    for label, make in [
        ("search name 2 chars p95, ms", lambda: rng.choice(names)[:2]),
        (
            "search name 3 chars p95, ms",
            lambda: rng.choice([x for x in names if len(x) >= 3] or names)[:3],
        ),
        ("search name 1 char p95, ms", lambda: rng.choice(SURNAMES)),
        ("search ID prefix (10) p95, ms", lambda: resident_id(rng.randrange(members))[:10]),
        ("search ID prefix (14) p95, ms", lambda: resident_id(rng.randrange(members))[:14]),
        (
            "search phone prefix (7) p95, ms",
            lambda: f"1{3 + (i := rng.randrange(members)) % 7}{i:09d}"[:7],
        ),
    ]:
        res[label] = pct(timed(lambda make=make: page(make()), samples), 95)
    res["page of 100 by name at random offset p95, ms"] = pct(
        timed(
            lambda: ws.records.query(
                "member", order_by="name", limit=100, offset=rng.randrange(members - 100)
            ),
            max(20, samples // 4),
        ),
        95,
    )
    res["find_by_field id_number p95, ms"] = pct(
        timed(
            lambda: ws.records.find_by_field(
                "member", "id_number", resident_id(rng.randrange(members))
            ),
            samples,
        ),
        95,
    )
    t = time.perf_counter()
    report = ws.check()
    res["full check (pages + integrity + audit chain), s"] = time.perf_counter() - t
    res["check ok"] = float(report.ok)
    ws.close(backup=False)
    res["database size, MB"] = (folder / "workspace.db").stat().st_size / 1e6
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=200_000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = ap.parse_args(argv)
    kdf = KdfParams()
    if args.smoke:  # a cheap Argon2id too: unlock is timed, not the point of a smoke run
        args.members, args.samples = 300, 5
        kdf = KdfParams(memory_kib=8192, iterations=1, lanes=1)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        print(f"members: {args.members}, samples per timing: {args.samples}")
        enc = run(Path(tmp) / "encrypted", args.members, args.samples, kdf, "encrypted")
        with plain_sqlite():
            plain = run(Path(tmp) / "plain", args.members, args.samples, kdf, "plain")
    width = max(len(k) for k in enc)
    print(f"{'':{width}}  {'encrypted':>10}  {'plain':>10}  {'enc/plain':>9}")
    for key in enc:
        e, p = enc[key], plain[key]
        ratio = f"{e / p:9.2f}" if p else f"{'-':>9}"
        print(f"{key:{width}}  {e:10.2f}  {p:10.2f}  {ratio}")


if __name__ == "__main__":
    main()
