"""Scale budgets of mlmarketing.media (run with: python benchmarks/run.py functions media)."""

from __future__ import annotations

import numpy as np

from mlmarketing import media
from mlmarketing.simulate import generate

_TABLE = generate("media", n_weeks=156).tables["01-04-Media.csv"]


def fit_three_years() -> None:
    media.fit_response_curves(_TABLE, controls=["season", "promotion"])


def kpis_one_million_rows() -> None:
    big = _TABLE.sample(1_000_000, replace=True, random_state=0)
    media.media_kpis(big, by=["channel", "season"], conversions="reported_conversions",
                     revenue="reported_revenue", reach="reach")


def allocate_thirty_channels() -> None:
    gen = np.random.default_rng(0)
    import pandas as pd

    curves = pd.DataFrame(
        {"half saturation": gen.uniform(5e3, 5e4, 30), "effect": gen.uniform(100, 3000, 30)},
        index=[f"channel {i}" for i in range(30)],
    )
    media.allocate_budget(curves, 600_000, min_spend=2_000, max_spend=60_000)


BENCHMARKS = [
    ("media fit_response_curves, 156 weeks x 8 channels", 5.0, fit_three_years),
    ("media media_kpis, 1,000,000 rows", 10.0, kpis_one_million_rows),
    ("media allocate_budget, 30 channels", 5.0, allocate_thirty_channels),
]
