"""Scale budget of mlmarketing.forecasting (issue: demand forecasting).

``backtest`` of ETS on 500 weekly series of three years: 60 s on the course machine (2 cores).
Each series gets 3 rolling origins of 13 weeks (1,500 ETS fits with a 52-week season).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.forecasting import ETS, backtest

N_SERIES, N_WEEKS = 500, 156


def _series(i: int, gen: np.random.Generator) -> pd.Series:
    t = np.arange(N_WEEKS)
    level = gen.uniform(50, 2000)
    values = level * (1 + 0.002 * t + 0.15 * np.sin(2 * np.pi * t / 52.18 + gen.uniform(0, 6)))
    values = values + gen.normal(0, 0.05 * level, N_WEEKS)
    return pd.Series(values, index=pd.date_range("2022-01-03", periods=N_WEEKS, freq="W-MON"))


def run_ets_backtest_500_series() -> None:
    gen = np.random.default_rng(0)
    for i in range(N_SERIES):
        backtest(_series(i, gen), {"ETS": ETS()}, horizon=13, n_folds=3, season_length=52)


BENCHMARKS = [
    ("backtest ETS, 500 weekly series x 3 years, 3 folds", 60.0, run_ets_backtest_500_series)
]
