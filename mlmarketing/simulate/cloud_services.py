"""The cloud-software subscriptions of ``03-02-Cloud-Services.csv``.

A B2B software company (SaaS) and the accounts that subscribed between January 2021 and
November 2024. Each account's lifetime is drawn from a Weibull proportional-hazards model
whose covariate effects are planted (and returned), then cut at the extraction date: an
account still subscribed on 31 December 2024 has no end date (it is *censored*).

Two traps of real subscription data are planted on purpose:

- the hazard falls with tenure (Weibull shape below 1): new accounts are the most likely
  to leave in any given month, although they have had the least time to do so;
- the self-serve "Starter" offer launched in March 2023 brought many small accounts on
  monthly billing, so recent cohorts differ from old ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.simulate._core import Simulation, rng

FILE = "03-02-Cloud-Services.csv"

FIRST_SIGNUP = pd.Timestamp("2021-01-01")
LAST_SIGNUP = pd.Timestamp("2024-11-30")
EXTRACTION_DATE = pd.Timestamp("2024-12-31")
SELF_SERVE_LAUNCH = pd.Timestamp("2023-03-01")
DAYS_PER_MONTH = 30.4375

# List price per seat and month, in euros; annual billing gets a discount.
PRICE_PER_SEAT = {"Starter": 12.0, "Pro": 29.0, "Enterprise": 55.0}
ANNUAL_DISCOUNT = 0.15
INDUSTRIES = ["Retail", "Finance", "Health", "Tech", "Manufacturing", "Education"]

# Weibull baseline hazard h0(t) = (shape / scale) * (t / scale) ** (shape - 1), t in months,
# for the reference account (Starter, monthly billing, covariates at their CENTRES).
WEIBULL_SHAPE = 0.8
WEIBULL_SCALE_MONTHS = 26.0
CENTRES = {
    "active_user_share": 60.0,
    "logins_per_user_week": 3.5,
    "features_adopted": 5.0,
    "support_tickets_90d": 1.5,
    "nps": 7.0,
}

# Planted log hazard ratios, per unit of each covariate (0 = no effect).
LOG_HAZARD_RATIOS = {
    "plan = Pro": -0.25,
    "plan = Enterprise": -0.50,
    "billing_cycle = annual": float(np.log(0.5)),
    "seats": 0.0,
    "active_user_share": -0.015,
    "logins_per_user_week": -0.08,
    "features_adopted": -0.10,
    "support_tickets_90d": 0.15,
    "nps": -0.12,
    # Sector has no effect; the terms are named against Education, the first in sorted order.
    **{f"industry = {name}": 0.0 for name in sorted(INDUSTRIES)[1:]},
}
NPS_MISSING_SHARE = 0.08


def weibull_survival(months: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """Planted probability of still being subscribed after ``months``, for relative risk ``risk``.

    >>> float(weibull_survival(np.array([0.0]), np.array([1.0]))[0])
    1.0
    """
    return np.exp(-((np.asarray(months, float) / WEIBULL_SCALE_MONTHS) ** WEIBULL_SHAPE) * risk)


def simulate_cloud_services(n_accounts: int = 3000, random_state: int = 20241231) -> Simulation:
    """Simulate the accounts of a SaaS company, their usage and when they cancelled.

    Parameters
    ----------
    n_accounts : int, default 3000
        Number of accounts (rows).
    random_state : int, default 20241231
        Seed; the default gives the shipped ``03-02-Cloud-Services.csv``.

    Returns
    -------
    Simulation
        ``tables["03-02-Cloud-Services.csv"]`` and ``truth`` with ``log_hazard_ratios`` and
        ``hazard_ratios`` (per unit, by term as :func:`mlmarketing.survival.cox_model` names
        them with Starter and monthly billing as references), ``weibull_shape``,
        ``weibull_scale_months``, ``centres``, ``extraction_date``, and per row:
        ``risk`` (relative hazard, exp of the linear predictor), ``lifetime_months`` (the
        uncensored lifetime) and ``p_churn_next_3_months`` (for accounts still subscribed at
        the extraction date, the true probability of leaving within 3 months; NaN otherwise).

    Examples
    --------
    >>> sim = simulate_cloud_services(n_accounts=200)
    >>> sim.tables["03-02-Cloud-Services.csv"].shape
    (200, 14)
    """
    gen = rng(random_state)
    n = n_accounts

    # Signups grow over time (about 40 % a year).
    span = (LAST_SIGNUP - FIRST_SIGNUP).days
    growth = np.log(1.4) / 365.25
    u = gen.random(n)
    offset = np.log1p(u * np.expm1(growth * span)) / growth
    signup = (FIRST_SIGNUP + pd.to_timedelta(np.floor(offset), unit="D")).sort_values()
    signup = pd.DatetimeIndex(signup)
    after_launch = np.asarray(signup >= SELF_SERVE_LAUNCH)

    starter_share = np.where(after_launch, 0.60, 0.35)
    enterprise_share = np.where(after_launch, 0.10, 0.17)
    draw = gen.random(n)
    plan = np.where(
        draw < starter_share, "Starter", np.where(draw < 1 - enterprise_share, "Pro", "Enterprise")
    )
    median_seats = pd.Series(plan).map({"Starter": 4.0, "Pro": 18.0, "Enterprise": 110.0})
    median_seats = median_seats.to_numpy()
    seats = np.maximum(1, np.round(median_seats * gen.lognormal(0.0, 0.55, n))).astype(int)
    annual_prob = pd.Series(plan).map({"Starter": 0.25, "Pro": 0.45, "Enterprise": 0.75}).to_numpy()
    annual_prob = np.where(after_launch & (plan == "Starter"), 0.15, annual_prob)
    annual = gen.random(n) < annual_prob
    per_seat = pd.Series(plan).map(PRICE_PER_SEAT).to_numpy()
    monthly_price = np.round(seats * per_seat * np.where(annual, 1 - ANNUAL_DISCOUNT, 1.0), 2)
    industry = gen.choice(INDUSTRIES, size=n, p=[0.2, 0.15, 0.12, 0.25, 0.15, 0.13])

    # Onboarding usage (first 90 days): engaged accounts use more features and answer
    # the satisfaction survey more warmly.
    engagement = gen.normal(0.0, 1.0, n)
    active_share = np.clip(60 + 15 * engagement + gen.normal(0, 8, n), 3, 100).round(1)
    logins = np.clip(gen.gamma(6.0, (3.5 + 0.6 * engagement).clip(0.8) / 6.0), 0.2, None).round(1)
    feature_p = pd.Series(plan).map({"Starter": 0.25, "Pro": 0.38, "Enterprise": 0.5}).to_numpy()
    features = gen.binomial(15, np.clip(feature_p + 0.05 * engagement, 0.02, 0.95))
    tickets = gen.poisson(np.where(plan == "Enterprise", 2.2, 1.3) * np.exp(-0.2 * engagement))
    nps = np.clip(np.round(7 + 1.2 * engagement + gen.normal(0, 1.6, n)), 0, 10)

    b = LOG_HAZARD_RATIOS
    c = CENTRES
    linear = (
        b["plan = Pro"] * (plan == "Pro")
        + b["plan = Enterprise"] * (plan == "Enterprise")
        + b["billing_cycle = annual"] * annual
        + b["seats"] * seats
        + b["active_user_share"] * (active_share - c["active_user_share"])
        + b["logins_per_user_week"] * (logins - c["logins_per_user_week"])
        + b["features_adopted"] * (features - c["features_adopted"])
        + b["support_tickets_90d"] * (tickets - c["support_tickets_90d"])
        + b["nps"] * (nps - c["nps"])
    )
    risk = np.exp(linear)
    # Inverse of the Weibull PH survival function: S(t) = exp(-(t/scale)^shape * risk).
    lifetime = WEIBULL_SCALE_MONTHS * (gen.exponential(1.0, n) / risk) ** (1 / WEIBULL_SHAPE)
    # Capped at 50 years only so that the date arithmetic stays in range (all are censored).
    lifetime_days = np.clip(np.ceil(lifetime * DAYS_PER_MONTH), 1, 18_262).astype(int)
    end = signup + pd.to_timedelta(lifetime_days, unit="D")
    churned = np.asarray(end <= EXTRACTION_DATE)
    end_date = pd.Series(end).astype("datetime64[ns]").where(churned)

    nps_shown = pd.array(nps.astype(int), dtype="Int64")
    nps_shown[gen.random(n) < NPS_MISSING_SHARE] = pd.NA

    table = pd.DataFrame(
        {
            "account_id": [f"ACC-{i:05d}" for i in range(1, n + 1)],
            "signup_date": pd.Series(signup, dtype="datetime64[ns]"),
            "plan": plan,
            "seats": seats,
            "billing_cycle": np.where(annual, "annual", "monthly"),
            "monthly_price": monthly_price,
            "industry": industry,
            "active_user_share": active_share,
            "logins_per_user_week": logins,
            "features_adopted": features,
            "support_tickets_90d": tickets,
            "nps": nps_shown,
            "end_date": end_date,
            "churned": churned,
        }
    )

    tenure = (EXTRACTION_DATE - signup).days.to_numpy() / DAYS_PER_MONTH
    still = ~churned
    p_next = np.full(n, np.nan)
    s_now = weibull_survival(tenure[still], risk[still])
    s_later = weibull_survival(tenure[still] + 3.0, risk[still])
    p_next[still] = 1 - s_later / s_now
    truth = {
        "log_hazard_ratios": dict(LOG_HAZARD_RATIOS),
        "hazard_ratios": {k: float(np.exp(v)) for k, v in LOG_HAZARD_RATIOS.items()},
        "weibull_shape": WEIBULL_SHAPE,
        "weibull_scale_months": WEIBULL_SCALE_MONTHS,
        "centres": dict(CENTRES),
        "extraction_date": EXTRACTION_DATE,
        "risk": risk,
        "lifetime_months": lifetime,
        "p_churn_next_3_months": p_next,
    }
    return Simulation(tables={FILE: table}, truth=truth)
