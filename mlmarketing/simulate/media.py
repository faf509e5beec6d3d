"""A brand's weekly media plan over two years (``01-04-Media.csv``).

Eight channels, one row per week and channel: spend, impressions, reach where the channel
reports it, clicks where it has them, and the conversions and revenue the platform claims.
Each row also carries the week's true totals (all conversions and revenue of the brand)
and its context (season, promotion).

Planted truth: each channel's weekly incremental conversions are
``effect * x / (x + half_saturation)`` of its carried-over spend
``x_t = (1 - decay) * spend_t + decay * x_{t-1}`` (normalised geometric adstock and a Hill
saturation of shape 1), on top of a baseline that depends on season and promotions. The
platforms report ``reporting_bias`` times the true incremental conversions: search, display
and email claim far more than they cause, TV, radio and out-of-home far less.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.simulate._core import Simulation, rng

FILE = "01-04-Media.csv"

# Per channel: typical weekly spend (EUR), planted response (decay, half saturation in EUR
# per week, effect = most weekly conversions the channel can add), platform reporting bias,
# price (CPM in EUR), click-through rate (None: no clicks), exposure concentration of the
# reach model (None: the channel does not report reach), flighting (share of weeks on air).
CHANNELS = {
    "search": dict(spend=30_000, decay=0.10, half=15_000, effect=2_000, bias=2.2,
                   cpm=50.0, ctr=0.040, concentration=None, on_air=1.0),
    "social": dict(spend=18_000, decay=0.35, half=25_000, effect=2_800, bias=1.2,
                   cpm=7.0, ctr=0.009, concentration=0.6, on_air=1.0),
    "display": dict(spend=17_000, decay=0.20, half=9_000, effect=900, bias=3.0,
                    cpm=3.0, ctr=0.001, concentration=None, on_air=1.0),
    "online_video": dict(spend=12_000, decay=0.50, half=20_000, effect=2_000, bias=0.6,
                         cpm=15.0, ctr=0.004, concentration=0.9, on_air=1.0),
    "email": dict(spend=3_000, decay=0.05, half=3_000, effect=500, bias=3.5,
                  cpm=1.5, ctr=0.025, concentration=None, on_air=1.0),
    "tv": dict(spend=45_000, decay=0.70, half=50_000, effect=5_000, bias=0.10,
               cpm=12.0, ctr=None, concentration=1.5, on_air=0.6),
    "radio": dict(spend=12_000, decay=0.40, half=10_000, effect=700, bias=0.15,
                  cpm=5.0, ctr=None, concentration=1.0, on_air=0.7),
    "ooh": dict(spend=14_000, decay=0.30, half=12_000, effect=600, bias=0.10,
                cpm=4.0, ctr=None, concentration=2.0, on_air=0.8),
}

AUDIENCE = 12_000_000  # people in the brand's target audience
BASE_CONVERSIONS = 5_500.0  # weekly conversions without any paid media, in winter
SEASON_EFFECT = {"winter": 0.0, "spring": 300.0, "summer": -400.0, "autumn": 600.0}
PROMOTION_EFFECT = 900.0  # extra weekly conversions in a promotion week
NOISE_SD = 40.0  # weekly conversions (small, so that two years are enough to learn the curves)
SPEND_VARIATION = 0.6  # log-scale spread of weekly spend around its typical level
ORDER_VALUE = 65.0  # mean revenue per conversion, EUR
WARM_UP_WEEKS = 13  # simulated before the first exported week, so carry-over is realistic


def _season(month: np.ndarray) -> np.ndarray:
    names = np.array(["winter", "spring", "summer", "autumn"])
    return names[(month % 12) // 3]


def _adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    out = np.empty_like(spend, dtype=float)
    carried = 0.0
    for t, value in enumerate(spend):
        carried = (1.0 - decay) * value + decay * carried
        out[t] = carried
    return out


def _weekly_spend(gen: np.random.Generator, typical: float, on_air: float, n: int) -> np.ndarray:
    """Spend that varies a lot from week to week (planned bursts), as real plans do."""
    level = typical * gen.lognormal(0.0, SPEND_VARIATION, size=n)
    if on_air < 1.0:
        # Flights of 2-6 weeks on air, separated by weeks off air.
        on = np.zeros(n, dtype=bool)
        t = int(gen.integers(0, 3))
        while t < n:
            length = int(gen.integers(2, 7))
            on[t : t + length] = True
            t += length + int(gen.integers(1, max(2, round(length * (1 - on_air) / on_air) + 2)))
        level = np.where(on, level / max(on.mean(), 0.05), 0.0)
    return np.round(level, -1)


def simulate_media(n_weeks: int = 104, random_state: int = 20240104) -> Simulation:
    """Simulate two years of a brand's weekly media plan across eight channels.

    Parameters
    ----------
    n_weeks : int, default 104
        Number of exported weeks (from Monday 2023-01-02).
    random_state : int, default 20240104
        Seed; the default gives the shipped ``01-04-Media.csv``.

    Returns
    -------
    Simulation
        ``tables["01-04-Media.csv"]`` (one row per week and channel) and ``truth`` with
        ``response`` (a DataFrame indexed by channel: ``decay``, ``half_saturation``,
        ``effect``, ``shape``, ``reporting_bias``, ``concentration``), ``contributions``
        (true weekly incremental conversions, weeks x channels), ``baseline`` (weekly
        conversions without paid media), ``audience``, ``season_effect``,
        ``promotion_effect`` and ``noise_sd``.

    Examples
    --------
    >>> sim = simulate_media(n_weeks=10)
    >>> sim.tables["01-04-Media.csv"].shape
    (80, 12)
    >>> float(sim.truth["response"].loc["tv", "decay"])
    0.7
    """
    gen = rng(random_state)
    total_weeks = n_weeks + WARM_UP_WEEKS
    weeks = pd.date_range("2023-01-02", periods=total_weeks, freq="W-MON") - pd.Timedelta(
        weeks=WARM_UP_WEEKS
    )
    season = _season(weeks.month.to_numpy())
    # Prices rise in the autumn (the year-end rush) and wobble from week to week.
    price_index = np.where(season == "autumn", 1.2, 1.0)
    promotion = gen.random(total_weeks) < 0.12

    spend, contributions = {}, {}
    for name, c in CHANNELS.items():
        spend[name] = _weekly_spend(gen, c["spend"], c["on_air"], total_weeks)
        carried = _adstock(spend[name], c["decay"])
        contributions[name] = c["effect"] * carried / (carried + c["half"])

    baseline = (
        BASE_CONVERSIONS
        + np.array([SEASON_EFFECT[s] for s in season])
        + PROMOTION_EFFECT * promotion
    )
    media = np.sum(list(contributions.values()), axis=0)
    total = np.maximum(np.round(baseline + media + gen.normal(0.0, NOISE_SD, total_weeks)), 0)
    order_value = ORDER_VALUE * gen.lognormal(0.0, 0.04, total_weeks)
    total_revenue = np.round(total * order_value, 2)

    keep = slice(WARM_UP_WEEKS, None)
    rows = []
    for name, c in CHANNELS.items():
        s = spend[name]
        cpm = c["cpm"] * price_index * gen.lognormal(0.0, 0.08, total_weeks)
        impressions = np.round(s / cpm * 1000).astype(np.int64)
        if c["ctr"] is not None:
            ctr = np.clip(c["ctr"] * gen.lognormal(0.0, 0.15, total_weeks), 0, 1)
            clicks = pd.array(gen.binomial(impressions, ctr), dtype="Int64")
        else:
            clicks = pd.array([pd.NA] * total_weeks, dtype="Int64")
        if c["concentration"] is not None:
            r = c["concentration"]
            mean_exposures = impressions / AUDIENCE
            share = 1.0 - (1.0 + mean_exposures / r) ** (-r)
            noisy = share * AUDIENCE * gen.lognormal(0.0, 0.03, total_weeks)
            people = np.minimum(np.round(noisy, -2), impressions).astype(np.int64)
            reach = pd.array(people, dtype="Int64")
        else:
            reach = pd.array([pd.NA] * total_weeks, dtype="Int64")
        reported = gen.poisson(c["bias"] * contributions[name])
        reported_revenue = np.round(reported * order_value * gen.lognormal(0, 0.05, total_weeks), 2)
        rows.append(
            pd.DataFrame(
                {
                    "week": weeks,
                    "channel": name,
                    "spend": s,
                    "impressions": impressions,
                    "reach": reach,
                    "clicks": clicks,
                    "reported_conversions": reported,
                    "reported_revenue": reported_revenue,
                    "total_conversions": total.astype(np.int64),
                    "total_revenue": total_revenue,
                    "season": season,
                    "promotion": promotion,
                }
            ).iloc[keep]
        )
    # Week by week, channels in the plan's order, as a media agency's export lists them.
    table = pd.concat(rows).sort_values("week", kind="stable").reset_index(drop=True)

    response = pd.DataFrame(
        {
            "decay": [c["decay"] for c in CHANNELS.values()],
            "half_saturation": [float(c["half"]) for c in CHANNELS.values()],
            "effect": [float(c["effect"]) for c in CHANNELS.values()],
            "shape": 1.0,
            "reporting_bias": [c["bias"] for c in CHANNELS.values()],
            "concentration": [c["concentration"] for c in CHANNELS.values()],
        },
        index=pd.Index(list(CHANNELS), name="channel"),
    )
    exported = weeks[keep]
    truth = {
        "response": response,
        "contributions": pd.DataFrame(
            {name: contributions[name][keep] for name in CHANNELS}, index=exported
        ),
        "baseline": pd.Series(baseline[keep], index=exported, name="baseline"),
        "audience": AUDIENCE,
        "season_effect": dict(SEASON_EFFECT),
        "promotion_effect": PROMOTION_EFFECT,
        "noise_sd": NOISE_SD,
    }
    return Simulation(tables={FILE: table}, truth=truth)
