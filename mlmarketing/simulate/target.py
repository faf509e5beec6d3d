"""An online shop's customers and the regional statistics table (``01-02-Target.csv``, ``01-02-Regions.csv``).

Slide "Identification et ciblage du marché" and the bank campaign case study (seed 004): score
the customers' purchase propensity, keep the most likely buyers, segment them into personas,
enrich them with regional statistics and plan a test campaign.

Planted truth: five personas with distinct web behaviour, and a purchase probability (of the
last campaign) that is a logistic function of the behaviour and of the region's income per
capita. A few things a real export has: missing ages and pages per session (tracking blocked),
an undefined cart-abandonment rate when nothing was added to the cart, customers with no
region or one outside the table (``"99"``: abroad), sessions left open for hours, a few very
large (business) orders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.simulate._core import Simulation, rng

FILE = "01-02-Target.csv"
REGIONS_FILE = "01-02-Regions.csv"

# The 13 regions of metropolitan France (INSEE codes). Orders of magnitude of the public
# statistics, rounded and perturbed: plausible, not official figures.
REGIONS = pd.DataFrame(
    {
        "region_code": ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"],
        "region_name": [
            "Île-de-France",
            "Centre-Val de Loire",
            "Bourgogne-Franche-Comté",
            "Normandie",
            "Hauts-de-France",
            "Grand Est",
            "Pays de la Loire",
            "Bretagne",
            "Nouvelle-Aquitaine",
            "Occitanie",
            "Auvergne-Rhône-Alpes",
            "Provence-Alpes-Côte d'Azur",
            "Corse",
        ],
        "income_per_capita": [
            27400, 21800, 21600, 21500, 20300, 21900, 22100, 22300, 22000, 21200, 23500, 22400, 21000,
        ],
        "activity_rate": [76.9, 73.4, 73.6, 72.8, 70.1, 72.9, 75.2, 74.1, 73.0, 70.6, 75.3, 71.2, 69.0],
        "population": [
            12_317_000, 2_573_000, 2_800_000, 3_327_000, 5_997_000, 5_562_000, 3_842_000,
            3_371_000, 6_033_000, 5_973_000, 8_092_000, 5_099_000, 344_000,
        ],
        "consumer_price_index": [
            116.2, 115.4, 115.1, 115.3, 115.0, 115.6, 115.5, 115.2, 115.7, 115.9, 116.0, 116.4, 117.1,
        ],
    }
)
ABROAD = "99"  # customers abroad: a code the regional table does not have

# Five personas: share of customers and the mean of each behaviour.
PERSONAS = {
    "loyal regulars": dict(
        share=0.18, sessions=16.0, minutes=7.0, pages=6.0, carts=5.0, abandon=0.20,
        newsletter=0.80, open=0.55, click=0.30, recency=4.0, orders=7.0, basket=75.0,
        mobile=0.35, age=47.0,
    ),
    "deal hunters": dict(
        share=0.20, sessions=11.0, minutes=3.5, pages=11.0, carts=10.0, abandon=0.75,
        newsletter=0.75, open=0.50, click=0.45, recency=7.0, orders=3.0, basket=35.0,
        mobile=0.85, age=31.0,
    ),
    "researchers": dict(
        share=0.22, sessions=14.0, minutes=14.0, pages=15.0, carts=7.0, abandon=0.55,
        newsletter=0.25, open=0.30, click=0.10, recency=4.0, orders=1.5, basket=110.0,
        mobile=0.25, age=40.0,
    ),
    "mobile newcomers": dict(
        share=0.20, sessions=5.0, minutes=2.5, pages=4.0, carts=8.0, abandon=0.60,
        newsletter=0.15, open=0.25, click=0.15, recency=2.0, orders=0.4, basket=30.0,
        mobile=0.95, age=25.0,
    ),
    "dormant": dict(
        share=0.20, sessions=1.5, minutes=3.0, pages=3.0, carts=0.2, abandon=0.60,
        newsletter=0.30, open=0.08, click=0.05, recency=70.0, orders=0.3, basket=50.0,
        mobile=0.45, age=52.0,
    ),
}

# Acquisition channel of each persona (probabilities in the order of CHANNELS).
CHANNELS = ["direct", "search", "social", "email", "affiliate"]
CHANNEL_MIX = {
    "loyal regulars": [0.40, 0.25, 0.05, 0.25, 0.05],
    "deal hunters": [0.10, 0.20, 0.25, 0.15, 0.30],
    "researchers": [0.15, 0.60, 0.10, 0.05, 0.10],
    "mobile newcomers": [0.05, 0.20, 0.60, 0.05, 0.10],
    "dormant": [0.30, 0.35, 0.15, 0.10, 0.10],
}

# Log-odds of buying in the last campaign: intercept and effect per unit (planted truth).
COEFFICIENTS = {
    "intercept": -3.3,
    "add_to_cart_90d": 0.12,
    "sessions_90d": 0.03,
    "newsletter": 0.50,
    "email_clicks_90d": 0.08,
    "days_since_last_visit": -0.07,
    "orders_12m": 0.03,
    "income_per_capita (per 1,000 €)": 0.12,
}
MEAN_INCOME = 22_000.0  # euros: the income effect is measured from this level

EMAILS_SENT_90D = {True: 12, False: 3}  # newsletter subscribers get the weekly letter


def simulate_target(n_customers: int = 20_000, random_state: int = 20240102) -> Simulation:
    """Simulate an online shop's customers (web behaviour, e-mails, orders) and the regions table.

    Parameters
    ----------
    n_customers : int, default 20000
        Number of customers (rows of ``01-02-Target.csv``).
    random_state : int, default 20240102
        Seed; the default gives the shipped files.

    Returns
    -------
    Simulation
        ``tables`` holds ``01-02-Target.csv`` and ``01-02-Regions.csv``; ``truth`` holds
        ``persona`` (one label per customer), ``personas`` (the planted means), ``coefficients``
        (log-odds per unit), ``purchase_probability`` (per customer) and ``best_auc`` (the ROC AUC
        of the true probabilities: no model can do better on average).

    Examples
    --------
    >>> sim = simulate_target(n_customers=100)
    >>> sim.tables["01-02-Target.csv"].shape, sim.tables["01-02-Regions.csv"].shape
    ((100, 17), (13, 6))
    """
    gen = rng(random_state)
    names = list(PERSONAS)
    shares = np.array([PERSONAS[p]["share"] for p in names])
    persona = gen.choice(len(names), size=n_customers, p=shares / shares.sum())

    def mean(key: str) -> np.ndarray:
        return np.array([PERSONAS[p][key] for p in names])[persona]

    n = n_customers
    age = np.clip(gen.normal(mean("age"), 8.0), 18, 85).round()
    population = REGIONS["population"].to_numpy(dtype=float)
    region = gen.choice(len(REGIONS), size=n, p=population / population.sum())
    region_code = REGIONS["region_code"].to_numpy(dtype=object)[region]
    income = REGIONS["income_per_capita"].to_numpy(dtype=float)[region]
    channel_p = np.array([CHANNEL_MIX[p] for p in names])[persona]
    channel = np.array(CHANNELS)[(gen.random((n, 1)) > channel_p.cumsum(axis=1)).sum(axis=1)]
    newsletter = gen.random(n) < mean("newsletter")

    sessions = gen.negative_binomial(10, 10 / (10 + mean("sessions"))) + 1
    minutes = sessions * gen.gamma(8.0, mean("minutes") / 8.0)
    pages = np.clip(gen.normal(mean("pages"), 0.12 * mean("pages")), 1.0, None)
    carts = gen.poisson(mean("carts"))
    abandoned = gen.binomial(carts, mean("abandon"))
    with np.errstate(invalid="ignore", divide="ignore"):
        abandonment = np.where(carts > 0, abandoned / np.maximum(carts, 1), np.nan)
    sent = np.where(newsletter, EMAILS_SENT_90D[True], EMAILS_SENT_90D[False])
    opens = gen.binomial(sent, mean("open"))
    clicks = gen.binomial(opens, mean("click"))
    recency = np.minimum(gen.exponential(mean("recency")).round(), 90).astype(int)
    orders = gen.poisson(mean("orders"))
    revenue = np.where(orders > 0, orders * gen.gamma(5.0, mean("basket") / 5.0), 0.0)
    mobile = gen.beta(20 * mean("mobile"), 20 * (1 - mean("mobile")))

    c = COEFFICIENTS
    log_odds = (
        c["intercept"]
        + c["add_to_cart_90d"] * carts
        + c["sessions_90d"] * sessions
        + c["newsletter"] * newsletter
        + c["email_clicks_90d"] * clicks
        + c["days_since_last_visit"] * recency
        + c["orders_12m"] * orders
        + c["income_per_capita (per 1,000 €)"] * (income - MEAN_INCOME) / 1000.0
    )
    probability = 1.0 / (1.0 + np.exp(-log_odds))
    bought = gen.random(n) < probability

    # What a real export has: gaps, codes outside the table, sessions left open, business orders.
    age_missing = gen.random(n) < 0.04
    pages_missing = gen.random(n) < 0.02
    where = gen.random(n)
    region_code = np.where(where < 0.008, None, np.where(where < 0.013, ABROAD, region_code))
    left_open = gen.random(n) < 0.003
    minutes = minutes + left_open * gen.uniform(600, 3000, n)
    business = (gen.random(n) < 0.002) & (orders > 0)
    revenue = revenue * np.where(business, gen.uniform(15, 40, n), 1.0)

    table = pd.DataFrame(
        {
            "customer_id": [f"T{i:05d}" for i in range(1, n + 1)],
            "age": pd.array(np.where(age_missing, np.nan, age), dtype="Int64"),
            "region_code": region_code,
            "channel": channel,
            "newsletter": newsletter,
            "sessions_90d": sessions,
            "minutes_on_site_90d": minutes.round(1),
            "pages_per_session": np.where(pages_missing, np.nan, pages.round(1)),
            "add_to_cart_90d": carts,
            "cart_abandonment_rate": abandonment.round(2),
            "email_opens_90d": opens,
            "email_clicks_90d": clicks,
            "days_since_last_visit": recency,
            "orders_12m": orders,
            "revenue_12m": revenue.round(2),
            "mobile_share": mobile.round(2),
            "bought_last_campaign": bought,
        }
    )

    from sklearn.metrics import roc_auc_score  # imported here: loading simulators stays light

    truth = {
        "persona": np.array(names)[persona],
        "personas": {p: dict(v) for p, v in PERSONAS.items()},
        "coefficients": dict(COEFFICIENTS),
        "purchase_probability": probability,
        "best_auc": float(roc_auc_score(bought, probability)) if 0 < bought.sum() < n else None,
    }
    return Simulation(tables={FILE: table, REGIONS_FILE: REGIONS.copy()}, truth=truth)
