"""Primitive throughput of the `gm` suite against the `intl` suite, measured in the same run.

Run: ``.venv/bin/python -m bench.bench_crypto_suites [--smoke]``. For each suite: signatures
made and verified per second (a 300-byte header, the size of a signed batch header), and
sealing / opening a 256 KiB payload (a full batch) per second; then the gm/intl time ratio per
operation (issue 16's target for the whole chain: gm within 1.5x of intl). ``intl`` is the code
the protocol uses today (sync.crypto: Ed25519, HPKE X25519/HKDF-SHA256/AES-256-GCM); ``gm`` is
sync.crypto_gm (SM2 via GmSSL, SM4-GCM and SM3 via OpenSSL).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from sync import crypto, crypto_gm


def per_second(fn: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        fn()
    return count / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny counts, a second or two")
    args = parser.parse_args(argv)
    n_sign, n_seal = (50, 5) if args.smoke else (3000, 60)
    header = os.urandom(300)
    payload = os.urandom(256 << 10)  # a gzipped 1,000-member batch is ~150-250 KiB
    info = b"batch-info"

    ed = crypto.new_signing_key()
    ed_sig = crypto.sign(ed, header)
    ed_pub = crypto.public_bytes(ed)
    x = crypto.new_hpke_key()
    x_pub = crypto.public_bytes(x)
    x_sealed = crypto.hpke_seal(x_pub, payload, info)

    sm_priv, sm_pub = crypto_gm.sm2_new_key()
    sm_sig = crypto_gm.sm2_sign(sm_priv, sm_pub, header)
    sm_sealed = crypto_gm.sm2_seal(sm_pub, payload, info)

    rows = [
        (
            "sign 300 B",
            per_second(lambda: crypto.sign(ed, header), n_sign),
            per_second(lambda: crypto_gm.sm2_sign(sm_priv, sm_pub, header), n_sign),
        ),
        (
            "verify 300 B",
            per_second(lambda: crypto.verify(ed_pub, ed_sig, header), n_sign),
            per_second(lambda: crypto_gm.sm2_verify(sm_pub, header, sm_sig), n_sign),
        ),
        (
            "seal 256 KiB",
            per_second(lambda: crypto.hpke_seal(x_pub, payload, info), n_seal),
            per_second(lambda: crypto_gm.sm2_seal(sm_pub, payload, info), n_seal),
        ),
        (
            "open 256 KiB",
            per_second(lambda: crypto.hpke_open(x, x_sealed, info), n_seal),
            per_second(lambda: crypto_gm.sm2_open(sm_priv, sm_sealed, info), n_seal),
        ),
    ]
    print(f"{'operation':<14}{'intl /s':>12}{'gm /s':>12}{'gm time / intl time':>22}")
    for name, intl_rate, gm_rate in rows:
        print(f"{name:<14}{intl_rate:>12.0f}{gm_rate:>12.0f}{intl_rate / gm_rate:>22.2f}x")
    if args.smoke:
        print("(smoke run: counts too small for figures)")


if __name__ == "__main__":
    main()
