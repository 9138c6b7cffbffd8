"""By deal size (金额分段): win rate, cycle and count per amount band of the rules' ``[bands]``. Pure.

Definitions (the contract, also in docs/definitions.md):

- The rules' ``bands.amounts`` [a1, a2, …] (ascending, in the amount unit) cut the 预计成交金额 into
  bands [0, a1), [a1, a2), …, [an, ∞); a lead without an amount is in the band "not given".
- Per band: its leads, open, won and lost; the **win rate** won ÷ (won + lost) with its k/n (as on
  总览); the median cycle of its won deals (first contact → won, days); the amount won and the
  open pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .frames import AMOUNT, CYCLE_DAYS, STATUS, Status, numbers
from .metrics import Rate


@dataclass(frozen=True)
class Band:
    low: float | None  # None: the leads without an amount
    high: float | None  # None: no upper bound
    leads: int
    open: int
    won: int
    lost: int
    median_cycle: float | None
    won_amount: float
    pipeline: float

    @property
    def win(self) -> Rate:
        return Rate(self.won, self.won + self.lost)


def bands(leads: pd.DataFrame, edges: tuple[float, ...]) -> tuple[Band, ...]:
    """The leads of the derived ``leads`` per amount band; the band without amount last, when any
    lead lacks one."""
    amount = numbers(leads, AMOUNT)
    status = leads[STATUS].astype(str).to_numpy()
    cycle = pd.to_numeric(leads[CYCLE_DAYS], errors="coerce").astype(float).to_numpy()
    value = amount.to_numpy(dtype=float)
    slot = np.searchsorted(np.asarray(edges, dtype=float), value, side="right")
    lows = (0.0, *edges)
    highs = (*edges, None)
    out = []
    for k in range(len(edges) + 1):
        out.append(_band(lows[k], highs[k], ~np.isnan(value) & (slot == k), status, cycle, value))
    missing = np.isnan(value)
    if missing.any():
        out.append(_band(None, None, missing, status, cycle, np.zeros(len(value))))
    return tuple(out)


def _band(low, high, mask: np.ndarray, status: np.ndarray, cycle: np.ndarray, value: np.ndarray) -> Band:
    won = mask & (status == Status.WON)
    active = mask & (status == Status.ACTIVE)
    cycles = cycle[won & ~np.isnan(cycle)]
    return Band(
        low=low, high=high, leads=int(mask.sum()), open=int(active.sum()), won=int(won.sum()),
        lost=int((mask & (status == Status.LOST)).sum()),
        median_cycle=float(np.median(cycles)) if len(cycles) else None,
        won_amount=float(value[won].sum()), pipeline=float(value[active].sum()),
    )
