"""The course map's small customer table (``00-Customers.csv``).

An online shop's customers with three hidden personas and a purchase that depends on
their behaviour. Small on purpose: it shows the three kinds of learning in seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.simulate._core import Simulation, rng

FILE = "00-Customers.csv"

# Three personas, with the mean of each behaviour (and the share of customers).
PERSONAS = {
    "window shopper": dict(share=0.45, visits=4.0, minutes=6.0, pages=3.0, carts=0.3, recency=45.0),
    "bargain hunter": dict(share=0.35, visits=10.0, minutes=8.0, pages=6.0, carts=2.5, recency=12.0),
    "loyal fan": dict(share=0.20, visits=22.0, minutes=14.0, pages=9.0, carts=6.0, recency=3.0),
}

# Log-odds of buying: intercept and effect per unit of each behaviour (planted truth).
COEFFICIENTS = {
    "intercept": -3.0,
    "add_to_cart_90d": 0.45,
    "visits_90d": 0.04,
    "newsletter": 0.6,
    "days_since_last_visit": -0.03,
}


def simulate_customers(n_customers: int = 2000, random_state: int = 20240901) -> Simulation:
    """Simulate an online shop's customers, their web behaviour and their last purchase.

    Parameters
    ----------
    n_customers : int, default 2000
        Number of customers (rows).
    random_state : int, default 20240901
        Seed; the default gives the shipped ``00-Customers.csv``.

    Returns
    -------
    Simulation
        ``tables["00-Customers.csv"]`` and ``truth`` with ``persona`` (one label per row),
        ``purchase_probability`` (per row), ``coefficients`` (log-odds per unit) and
        ``best_auc`` (the AUC of the true probabilities, the best any model can reach).

    Examples
    --------
    >>> sim = simulate_customers(n_customers=100)
    >>> sim.tables["00-Customers.csv"].shape
    (100, 10)
    """
    gen = rng(random_state)
    names = list(PERSONAS)
    shares = np.array([PERSONAS[p]["share"] for p in names])
    persona = gen.choice(len(names), size=n_customers, p=shares / shares.sum())

    def from_persona(key: str) -> np.ndarray:
        return np.array([PERSONAS[names[k]][key] for k in persona])

    visits = gen.poisson(from_persona("visits")) + 1
    # Minutes per visit vary around the persona's mean, with a long right tail.
    minutes = visits * gen.gamma(4.0, from_persona("minutes") / 4.0)
    pages = np.clip(gen.normal(from_persona("pages"), 1.0), 1.0, None)
    carts = gen.poisson(from_persona("carts"))
    recency = np.minimum(gen.exponential(from_persona("recency")).round().astype(int), 90)
    newsletter = gen.random(n_customers) < np.where(persona == 1, 0.7, 0.3)
    age = np.clip(gen.normal(np.where(persona == 2, 44, 36), 11), 18, 80).round().astype(int)
    device = gen.choice(["mobile", "desktop", "tablet"], size=n_customers, p=[0.6, 0.32, 0.08])

    # Imported here so that loading the simulators does not load scikit-learn.
    from sklearn.metrics import roc_auc_score

    c = COEFFICIENTS
    log_odds = (
        c["intercept"]
        + c["add_to_cart_90d"] * carts
        + c["visits_90d"] * visits
        + c["newsletter"] * newsletter
        + c["days_since_last_visit"] * recency
    )
    probability = 1.0 / (1.0 + np.exp(-log_odds))
    bought = gen.random(n_customers) < probability

    table = pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(1, n_customers + 1)],
            "age": age,
            "device": device,
            "visits_90d": visits,
            "minutes_on_site_90d": minutes.round(1),
            "pages_per_visit": pages.round(1),
            "add_to_cart_90d": carts,
            "newsletter": newsletter,
            "days_since_last_visit": recency,
            "bought": bought,
        }
    )
    truth = {
        "persona": np.array(names)[persona],
        "purchase_probability": probability,
        "coefficients": dict(COEFFICIENTS),
        "best_auc": float(roc_auc_score(bought, probability)) if 0 < bought.sum() < n_customers else None,
    }
    return Simulation(tables={FILE: table}, truth=truth)
