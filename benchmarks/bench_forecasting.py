"""Scale budgets of mlmarketing.forecasting (issues: demand forecasting; automatic ETS).

- ``backtest`` of ETS on 500 weekly series of three years: 60 s on the course machine (2
  cores). Each series gets 3 rolling origins of 13 weeks (1,500 ETS fits with a 52-week season).
- ``backtest`` of AutoETS on 100 monthly series of ten years, 3 origins of 12 months: 300
  choices among up to 15 forms each, 90 s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.forecasting import ETS, AutoETS, backtest

N_SERIES, N_WEEKS = 500, 156
N_MONTHLY, N_MONTHS = 100, 120


def _series(i: int, gen: np.random.Generator) -> pd.Series:
    t = np.arange(N_WEEKS)
    level = gen.uniform(50, 2000)
    values = level * (1 + 0.002 * t + 0.15 * np.sin(2 * np.pi * t / 52.18 + gen.uniform(0, 6)))
    values = values + gen.normal(0, 0.05 * level, N_WEEKS)
    return pd.Series(values, index=pd.date_range("2022-01-03", periods=N_WEEKS, freq="W-MON"))


def _monthly(gen: np.random.Generator) -> pd.Series:
    # Half the series have swings that grow with the level, half swings of a steady size.
    t = np.arange(N_MONTHS)
    level = gen.uniform(50, 2000) * (1 + gen.uniform(0, 0.01) * t)
    wave = 0.2 * np.sin(2 * np.pi * t / 12 + gen.uniform(0, 6))
    values = level * (1 + wave) if gen.random() < 0.5 else level + wave * level[0]
    values = values * (1 + gen.normal(0, 0.04, N_MONTHS))
    return pd.Series(values, index=pd.date_range("2015-01-01", periods=N_MONTHS, freq="MS"))


def run_ets_backtest_500_series() -> None:
    gen = np.random.default_rng(0)
    for i in range(N_SERIES):
        backtest(_series(i, gen), {"ETS": ETS()}, horizon=13, n_folds=3, season_length=52)


def run_auto_ets_backtest_100_monthly_series() -> None:
    gen = np.random.default_rng(0)
    for _ in range(N_MONTHLY):
        backtest(_monthly(gen), {"AutoETS": AutoETS(season_length=12)}, horizon=12, n_folds=3,
                 season_length=12)


BENCHMARKS = [
    ("backtest ETS, 500 weekly series x 3 years, 3 folds", 60.0, run_ets_backtest_500_series),
    ("backtest AutoETS, 100 monthly series x 10 years, 3 folds", 90.0,
     run_auto_ets_backtest_100_monthly_series),
]
