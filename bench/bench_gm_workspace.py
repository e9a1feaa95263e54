"""Members-page search on a gm township workspace against intl, in the same run: bulk save,
exact-ID search, ID-prefix search, phone search, a page sorted by the ID column, paging.

    python -m bench.bench_gm_workspace [--members 200000] [--smoke]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from desktop.store import KdfParams, Workspace
from tests.store import helpers as h

KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)


def _best(fn, n: int = 20) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def run(suite: str, members: int, root: Path) -> dict[str, float]:
    ws, _ = Workspace.create(
        root / suite, org_unit_code="330106001", admin_password="Chief-pass-1", kdf=KDF,
        crypto_suite=suite,
    )  # fmt: skip
    try:
        u = ws.records.save("union", h.union()).uuid
        t = time.perf_counter()
        ws.records.save_many("member", (h.member(i, u) for i in range(members)), chunk_size=5000)
        out = {"bulk save (s)": time.perf_counter() - t}
        k = members // 2
        q = ws.records.query
        out["exact ID (ms)"] = _best(lambda: q("member", search=h.resident_id(k), limit=50))
        out["ID prefix 14 (ms)"] = _best(
            lambda: q("member", search=h.resident_id(k)[:14], limit=50)
        )
        out["phone (ms)"] = _best(lambda: q("member", search=h.mobile(k), limit=50))
        out["phone prefix 8 (ms)"] = _best(lambda: q("member", search=h.mobile(k)[:8], limit=50))
        out["page by ID column (ms)"] = _best(
            lambda: q("member", order_by="id_number", limit=50, offset=k)
        )
        out["page, newest (ms)"] = _best(lambda: q("member", limit=50, offset=k))
        return out
    finally:
        ws.close(backup=False)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--members", type=int, default=200_000)
    p.add_argument("--smoke", action="store_true")
    args = p.parse_args()
    n = 300 if args.smoke else args.members
    with tempfile.TemporaryDirectory() as tmp:
        res = {s: run(s, n, Path(tmp)) for s in ("intl", "gm")}
    print(f"members: {n}")
    print(f"{'step':28} {'intl':>10} {'gm':>10} {'gm/intl':>8}")
    for key in res["intl"]:
        a, b = res["intl"][key], res["gm"][key]
        print(f"{key:28} {a:10.2f} {b:10.2f} {b / a if a else 0:8.2f}")


if __name__ == "__main__":
    main()
