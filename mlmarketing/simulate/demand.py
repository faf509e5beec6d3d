"""Weekly sales of a French retailer's product family (``02-02-Demand.csv``).

Five years of weekly sales built from planted parts that a forecasting method should
recover: a linear trend, a smooth yearly seasonality, the Christmas rush, the two legal
sales periods (*soldes*, January and July), public holidays, promotion weeks and advertising,
plus autocorrelated noise. A few weeks are stock-outs: sales are capped by the stock, so the
recorded units understate demand, as in a real export.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.simulate._core import Simulation, rng

FILE = "02-02-Demand.csv"

# Planted effects, in units sold per week (additive).
EFFECTS = {
    "base_level": 600.0,  # units per week in the first week, before the other effects
    "trend_per_week": 1.2,  # growth: about +62 units per week each year
    "yearly_amplitude": 70.0,  # smooth yearly wave: spring/early-summer high, autumn low
    "christmas_season": 260.0,  # each of the four weeks before Christmas
    "soldes": 140.0,  # a week of the legal sales periods
    "public_holidays": -45.0,  # per public holiday in the week (shops closed or quiet)
    "promo": 180.0,  # a promotion week (20 % off)
    "ad_spend_per_1000_eur": 30.0,  # per 1,000 EUR of advertising in the same week
}
NOISE_AR = 0.5  # AR(1) coefficient of the noise
NOISE_SD = 35.0  # standard deviation of the noise's innovations, units
LIST_PRICE_EUR = 24.90  # first year's shelf price, raised by about 2 % each January
PROMO_DISCOUNT = 0.20


def simulate_demand(
    n_weeks: int = 261, start: str = "2021-01-04", random_state: int = 20240202
) -> Simulation:
    """Simulate a retailer's weekly sales with known trend, seasons, promotions and ad effect.

    Parameters
    ----------
    n_weeks : int, default 261
        Number of weeks (rows); 261 weeks is five years.
    start : str, default "2021-01-04"
        The Monday of the first week.
    random_state : int, default 20240202
        Seed; the default gives the shipped ``02-02-Demand.csv``.

    Returns
    -------
    Simulation
        ``tables["02-02-Demand.csv"]`` and ``truth`` with ``effects`` (the planted effects,
        units per week), ``noise_ar`` and ``noise_sd``, ``demand`` (the true weekly demand before
        stock-outs, a Series indexed by week) and ``expected_demand`` (demand without noise).

    Examples
    --------
    >>> sim = simulate_demand(n_weeks=120)
    >>> sim.tables["02-02-Demand.csv"].shape
    (120, 9)
    >>> sim.truth["effects"]["promo"]
    180.0
    """
    from mlmarketing.forecasting import french_calendar

    gen = rng(random_state)
    weeks = pd.date_range(start, periods=n_weeks, freq="W-MON")
    calendar = french_calendar(weeks)
    t = np.arange(n_weeks, dtype=float)
    day_of_year = weeks.day_of_year.to_numpy() + 3.0  # mid-week
    # Peak around early June, trough around early December (before the Christmas rush).
    season = EFFECTS["yearly_amplitude"] * np.cos(2 * np.pi * (day_of_year - 155.0) / 365.25)

    # Promotions: about one week in eight, never during the soldes, not two in a row.
    promo = np.zeros(n_weeks, dtype=bool)
    for week in range(n_weeks):
        if calendar["soldes"].iloc[week] or (week and promo[week - 1]):
            continue
        promo[week] = gen.random() < 0.14
    # Advertising: a base budget, campaigns of a few weeks, more before Christmas.
    ad_spend = gen.gamma(6.0, 500.0, size=n_weeks)
    campaign = np.zeros(n_weeks)
    week = 0
    while week < n_weeks:
        if gen.random() < 0.12:
            length = int(gen.integers(2, 5))
            campaign[week : week + length] = gen.uniform(2500.0, 5000.0)
            week += length
        week += 1
    ad_spend = ad_spend + campaign + 2000.0 * calendar["christmas_season"].to_numpy()
    ad_spend = np.round(ad_spend / 10.0) * 10.0

    noise = np.zeros(n_weeks)
    shocks = gen.normal(0.0, NOISE_SD, size=n_weeks)
    noise[0] = shocks[0] / np.sqrt(1 - NOISE_AR**2)
    for week in range(1, n_weeks):
        noise[week] = NOISE_AR * noise[week - 1] + shocks[week]

    e = EFFECTS
    expected = (
        e["base_level"]
        + e["trend_per_week"] * t
        + season
        + e["christmas_season"] * calendar["christmas_season"].to_numpy()
        + e["soldes"] * calendar["soldes"].to_numpy()
        + e["public_holidays"] * calendar["public_holidays"].to_numpy()
        + e["promo"] * promo
        + e["ad_spend_per_1000_eur"] * ad_spend / 1000.0
    )
    demand = np.maximum(np.round(expected + noise), 0.0)

    # A few stock-outs: the shelf ran empty, sales are capped at what was in stock.
    stock_out = np.zeros(n_weeks, dtype=bool)
    candidates = np.flatnonzero(promo | calendar["christmas_season"].to_numpy())
    candidates = candidates[candidates > 20]
    chosen = gen.choice(candidates, size=min(4, len(candidates)), replace=False)
    stock_out[chosen] = True
    units = np.where(stock_out, np.floor(demand * gen.uniform(0.65, 0.85, n_weeks)), demand)

    list_price = LIST_PRICE_EUR * 1.02 ** (weeks.year - weeks.year[0])
    price = np.where(promo, list_price * (1 - PROMO_DISCOUNT), list_price).round(2)

    table = pd.DataFrame(
        {
            "week": weeks,
            "units_sold": units.astype(int),
            "price_eur": price,
            "promo": promo,
            "ad_spend_eur": ad_spend,
            "public_holidays": calendar["public_holidays"].to_numpy(),
            "soldes": calendar["soldes"].to_numpy(),
            "christmas_season": calendar["christmas_season"].to_numpy(),
            "stock_out": stock_out,
        }
    )
    truth = {
        "effects": dict(EFFECTS),
        "noise_ar": NOISE_AR,
        "noise_sd": NOISE_SD,
        "demand": pd.Series(demand, index=weeks, name="demand"),
        "expected_demand": pd.Series(expected, index=weeks, name="expected_demand"),
        "stock_out_weeks": list(weeks[stock_out]),
    }
    return Simulation(tables={FILE: table}, truth=truth)
