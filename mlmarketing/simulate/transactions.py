"""The online shop's transactions of notebook 04-01 (``04-01-Transactions.csv``).

Purchases follow a planted BG/NBD process and amounts a planted Gamma-Gamma model, so the
notebook can show that the models recover what was planted, and who really is still active.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from mlmarketing.simulate._core import Simulation, rng

FILE = "04-01-Transactions.csv"
START = pd.Timestamp("2023-01-01")
END = pd.Timestamp("2024-12-31")  # last day of the observation

# Planted BG/NBD (time unit: weeks): purchase rate ~ Gamma(r, rate alpha), dropout ~ Beta(a, b).
BG_NBD = {"r": 0.9, "alpha": 10.0, "a": 0.9, "b": 4.0}
# Planted Gamma-Gamma: amount ~ Gamma(p, rate nu) per purchase, nu ~ Gamma(q, rate gamma).
GAMMA_GAMMA = {"p": 4.0, "q": 5.0, "gamma": 60.0}

FAMILIES = ["books", "music", "video games", "electronics", "home"]
FAMILY_WEIGHTS = np.array([0.30, 0.20, 0.15, 0.15, 0.20])


def _expected_future(
    rate: np.ndarray, dropout: np.ndarray, alive: np.ndarray, weeks: float
) -> np.ndarray:
    """E[purchases in the next `weeks`] knowing the true rate, dropout and status.

    A live customer makes Poisson(rate * weeks) purchases unless she drops out after one of them:
    E = sum_k P(N >= k) (1 - p)^(k - 1).
    """
    k = np.arange(1, 400)[:, None]
    terms = stats.poisson.sf(k - 1, rate * weeks) * (1 - dropout) ** (k - 1)
    return np.where(alive, terms.sum(axis=0), 0.0)


def draw_customers(gen: np.random.Generator, n_customers: int, bg: dict, gg: dict,
                   start: pd.Timestamp = START, end: pd.Timestamp = END) -> tuple[np.ndarray, ...]:
    """Each customer's hidden traits in the BG/NBD and Gamma-Gamma story, drawn in a fixed order.

    Returns the weekly purchase rate (Gamma(r, alpha)), the probability of leaving after each
    repeat purchase (Beta(a, b)), the spend scale nu (Gamma(q, gamma)), the day of the first purchase
    (uniform over the first year) and the age in weeks at ``end``. The order of the draws is part of
    the generators' output: the committed files depend on it.

    Examples
    --------
    >>> traits = draw_customers(np.random.default_rng(0), 3, BG_NBD, GAMMA_GAMMA)
    >>> [len(t) for t in traits]
    [3, 3, 3, 3, 3]
    """
    rate = gen.gamma(bg["r"], 1.0 / bg["alpha"], size=n_customers)
    dropout = gen.beta(bg["a"], bg["b"], size=n_customers)
    nu = gen.gamma(gg["q"], 1.0 / gg["gamma"], size=n_customers)
    first_day = gen.integers(0, 365, size=n_customers)
    age_weeks = ((end - start).days - first_day) / 7.0
    return rate, dropout, nu, first_day, age_weeks


def simulate_transactions(n_customers: int = 2500, random_state: int = 20240407) -> Simulation:
    """Simulate two years of an online shop's purchases with planted BG/NBD and Gamma-Gamma laws.

    Customers make a first purchase on a day of 2023 (uniformly); the observation ends on
    2024-12-31. Each customer has her own weekly purchase rate and dropout probability (BG/NBD:
    after each repeat purchase she leaves for good with probability ``p``) and her own mean
    basket (Gamma-Gamma). Product family and channel follow each customer's own preferences
    and do not change the amounts.

    Parameters
    ----------
    n_customers : int, default 2500
    random_state : int, default 20240407
        Seed; the defaults give the shipped ``04-01-Transactions.csv``.

    Returns
    -------
    Simulation
        ``tables["04-01-Transactions.csv"]`` (one row per purchase) and ``truth`` with
        ``bg_nbd`` and ``gamma_gamma`` (the planted parameters, weeks as time unit) and
        ``customers``, a table per customer: ``purchase_rate`` (per week), ``dropout_probability``,
        ``alive`` (still active on 2024-12-31), ``mean_spend`` (her true mean amount),
        ``expected_purchases_13w`` and ``expected_purchases_52w`` (true expected purchases after
        the end, knowing all of the above).

    Examples
    --------
    >>> sim = simulate_transactions(n_customers=50)
    >>> sim.tables["04-01-Transactions.csv"].columns.tolist()
    ['customer_id', 'date', 'amount', 'product_family', 'channel']
    """
    gen = rng(random_state)
    bg, gg = BG_NBD, GAMMA_GAMMA
    rate, dropout, nu, first_day, age_weeks = draw_customers(gen, n_customers, bg, gg)

    # Repeat purchases: Poisson arrivals in (0, age], kept up to the K-th, after which she leaves.
    arrivals = gen.poisson(rate * age_weeks)
    leaves_after = gen.geometric(dropout)
    n_repeat = np.minimum(arrivals, leaves_after)
    alive = arrivals < leaves_after

    owner = np.repeat(np.arange(n_customers), 1 + n_repeat)
    n_rows = len(owner)
    starts = np.concatenate([[0], np.cumsum(1 + n_repeat)[:-1]])
    is_first = np.zeros(n_rows, dtype=bool)
    is_first[starts] = True
    # Arrival times of a Poisson process given their number are sorted uniforms over (0, age];
    # the first min(N, K) of the N arrivals are the purchases made.
    offset_weeks = np.zeros(n_rows)
    for i in np.flatnonzero(n_repeat):
        times = np.sort(gen.uniform(0.0, age_weeks[i], size=arrivals[i]))[: n_repeat[i]]
        offset_weeks[starts[i] + 1 : starts[i] + 1 + n_repeat[i]] = times
    offset_days = np.floor(offset_weeks * 7.0).astype(int)
    dates = START + pd.to_timedelta(first_day[owner] + offset_days, unit="D")

    amount = gen.gamma(gg["p"], 1.0 / nu[owner])
    amount = np.maximum(amount.round(2), 0.01)

    preference = gen.dirichlet(FAMILY_WEIGHTS * 8.0, size=n_customers)
    cumulative = preference.cumsum(axis=1)[owner]
    family_index = (gen.random(n_rows)[:, None] > cumulative).sum(axis=1)
    family = np.array(FAMILIES)[np.minimum(family_index, len(FAMILIES) - 1)]
    app_share = gen.beta(2.0, 3.0, size=n_customers)
    channel = np.where(gen.random(n_rows) < app_share[owner], "app", "web")

    table = pd.DataFrame(
        {
            "customer_id": np.char.add("K", np.char.zfill((owner + 1).astype(str), 5)),
            "date": dates,
            "amount": amount,
            "product_family": family,
            "channel": channel,
        }
    )
    table = table.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    ids = np.char.add("K", np.char.zfill(np.arange(1, n_customers + 1).astype(str), 5))
    customers = pd.DataFrame(
        {
            "purchase_rate": rate,
            "dropout_probability": dropout,
            "alive": alive,
            "mean_spend": gg["p"] / nu,
            "expected_purchases_13w": _expected_future(rate, dropout, alive, 13.0),
            "expected_purchases_52w": _expected_future(rate, dropout, alive, 52.0),
        },
        index=pd.Index(ids, name="customer_id"),
    )
    truth = {
        "bg_nbd": dict(BG_NBD),
        "gamma_gamma": dict(GAMMA_GAMMA),
        "time_unit": "weeks",
        "observation_end": END.strftime("%Y-%m-%d"),
        "customers": customers,
    }
    return Simulation(tables={FILE: table}, truth=truth)
