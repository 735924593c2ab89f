"""Thresholds that are the planning office's policy, not arithmetic: one value, used both by the checker
(``unjustified-overachievement``) and by the generated form (its amber row), so they never disagree."""
from __future__ import annotations

from typing import NamedTuple

OVERACHIEVEMENT_RATIO = 1.5  # above 150 % of the programme to date an OBSERVACIÓN is expected


class Policy(NamedTuple):
    """The office's thresholds for one run. A NamedTuple (immutable, compared by value) because it is
    made at every start: under Python 3.11 a frozen dataclass costs ~0.9 ms to make at import."""

    over_ratio: float = OVERACHIEVEMENT_RATIO  # A to date above this × P to date needs an OBSERVACIÓN
    tolerance: float = 0.005                   # rounding allowed when comparing typed totals
