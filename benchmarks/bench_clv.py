"""Scale budgets of mlmarketing.clv: BG/NBD on 100,000 customers, RFM on 1,000,000 rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.clv import BetaGeo, rfm_table, summary_from_transactions
from mlmarketing.simulate import generate

# Built once when the file is loaded, outside the timed functions.
_SIM = generate("transactions", n_customers=100_000, random_state=7)
_SHOP = _SIM.tables["04-01-Transactions.csv"]
_SUMMARY = summary_from_transactions(_SHOP, "customer_id", "date", "amount")

_gen = np.random.default_rng(7)
_N = 1_000_000
_ROWS = pd.DataFrame(
    {
        "customer": np.char.add("C", _gen.integers(0, 200_000, size=_N).astype(str)),
        "date": pd.Timestamp("2023-01-01")
        + pd.to_timedelta(_gen.integers(0, 730, size=_N), unit="D"),
        "amount": _gen.gamma(4.0, 15.0, size=_N).round(2),
    }
)


def fit_betageo() -> None:
    BetaGeo().fit(_SUMMARY)


def rfm_million() -> None:
    rfm_table(_ROWS, "customer", "date", "amount")


BENCHMARKS = [
    ("clv: BetaGeo().fit, 100,000 customers", 2.0, fit_betageo),
    ("clv: rfm_table, 1,000,000 transactions", 3.0, rfm_million),
]
