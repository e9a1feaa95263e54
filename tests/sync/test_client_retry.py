"""Backoff with full jitter stays within its bounds, grows, and a cancel cuts a wait short."""

from __future__ import annotations

import random
import threading
import time

import pytest

from sync.retry import RetryPolicy, SyncCancelled, wait


def test_delays_grow_exponentially_with_full_jitter_and_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0, rng=random.Random(7))
    for n, cap in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)):
        samples = [policy.delay(n) for _ in range(300)]
        assert all(0.0 <= s <= cap for s in samples)
        # jitter: spread over the whole range, not one fixed value
        assert max(samples) > cap * 0.8 and min(samples) < cap * 0.2


def test_two_clients_do_not_retry_in_step() -> None:
    a = RetryPolicy(rng=random.Random(1))
    b = RetryPolicy(rng=random.Random(2))
    assert [round(a.delay(3), 6) for _ in range(5)] != [round(b.delay(3), 6) for _ in range(5)]


def test_cancel_wakes_a_long_wait_quickly() -> None:
    flag = threading.Event()
    threading.Timer(0.1, flag.set).start()
    start = time.monotonic()
    with pytest.raises(SyncCancelled):
        wait(30.0, flag.is_set)
    assert time.monotonic() - start < 1.0


def test_wait_without_cancel_sleeps_the_time() -> None:
    start = time.monotonic()
    wait(0.12, lambda: False)
    assert 0.1 <= time.monotonic() - start < 1.0
