"""Scale budgets of mlmarketing.clv: BG/NBD and Gamma-Gamma on 100,000 customers, RFM on
1,000,000 rows, and Gamma-Gamma on the full CDNOW file (when lifetimes, which ships it, is
installed; lifetimes' own GammaGammaFitter takes about 0.1 s on it on a 2-core machine)."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from mlmarketing.clv import BetaGeo, GammaGamma, rfm_table, summary_from_transactions
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


def _cdnow_master() -> pd.DataFrame | None:
    spec = importlib.util.find_spec("lifetimes")  # found, not imported: it changes pandas options
    if spec is None:
        return None
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "CDNOW_master.txt"
    master = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    master["date"] = pd.to_datetime(master["date"], format="%Y%m%d")
    return summary_from_transactions(master, "customer_id", "date", "dollar_value")


_CDNOW = _cdnow_master()


def fit_betageo() -> None:
    BetaGeo().fit(_SUMMARY)


def fit_gammagamma() -> None:
    GammaGamma().fit(_SUMMARY)


def fit_gammagamma_cdnow() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the one repeat customer with a 0 $ mean spend
        GammaGamma().fit(_CDNOW)


def rfm_million() -> None:
    rfm_table(_ROWS, "customer", "date", "amount")


BENCHMARKS = [
    ("clv: BetaGeo().fit, 100,000 customers", 2.0, fit_betageo),
    ("clv: GammaGamma().fit, 100,000 customers", 0.5, fit_gammagamma),
    ("clv: rfm_table, 1,000,000 transactions", 3.0, rfm_million),
]
if _CDNOW is not None:
    BENCHMARKS.append(("clv: GammaGamma().fit, CDNOW master (11,515 repeat customers)", 0.1,
                       fit_gammagamma_cdnow))
