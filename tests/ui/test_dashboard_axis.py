"""The dashboard's members-by-union axis reads like a person would draw it: 0, 10, 20, 30."""

from __future__ import annotations

import pytest

from desktop.ui.pages.dashboard import nice_axis


@pytest.mark.parametrize("top", [0, 1, 3, 7, 9, 26, 30, 99, 150, 2_000, 199_999])
def test_axis_steps_are_whole_1_2_5_steps_and_leave_room_above_the_longest_bar(top: int) -> None:
    step, ticks = nice_axis(top)
    mantissa = step
    while mantissa % 10 == 0:
        mantissa //= 10
    assert mantissa in (1, 2, 5)
    assert 2 <= ticks <= 6
    assert step * (ticks - 1) > top


def test_twenty_six_members_gives_tens() -> None:
    assert nice_axis(26) == (10, 4)  # 0, 10, 20, 30 — not 0, 7, 15, 22, 30
