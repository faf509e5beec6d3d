"""The bank's e-mail campaign A/B test (``04-02-Campaign.csv``), seed 004.

A bank sends 1,000 e-mails to customers picked among the 10,000 most likely to buy, with
five creatives (200 e-mails each, randomised). For every e-mail the export says whether it
was delivered, when it was opened and clicked, when the customer bought and for how much,
whether they unsubscribed, and whether the product was still active three months later.

Planted truth: one creative (``B``) is truly better; one (``D``) is exactly as good as the
control ``A`` but happens to look best in the shipped sample of 200 per creative. Click
rates also depend on the customer segment and the creative's tone and image, and open rates
on the send hour and weekday.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.simulate._core import Simulation, rng

FILE = "04-02-Campaign.csv"

# The five creatives of the test and their visual attributes; A is the control.
CREATIVES = pd.DataFrame(
    {
        "creative": ["A", "B", "C", "D", "E"],
        "colour": ["blue", "green", "orange", "blue", "grey"],
        "tone": ["formal", "friendly", "urgent", "friendly", "formal"],
        "image": ["product", "people", "product", "product", "none"],
    }
)

# Probability of a click once the e-mail is opened, before segment effects. The value for
# "D" is set below so that, averaged over segments, D is exactly as good as the control A.
CLICK_GIVEN_OPEN = {"A": 0.120, "B": 0.140, "C": 0.118, "D": 0.0, "E": 0.105}

# Customer segments of the targeting notebook's plan: share and open-rate multiplier.
SEGMENTS = {
    "young professionals": dict(share=0.30, open=0.90),
    "families": dict(share=0.30, open=1.00),
    "affluent savers": dict(share=0.20, open=1.15),
    "retirees": dict(share=0.20, open=1.05),
}

# Visual affinity: multipliers of the click probability by segment and creative attribute.
AFFINITY = {
    "young professionals": {"tone": {"friendly": 1.30, "formal": 0.80}, "image": {"people": 1.20}},
    "families": {"image": {"people": 1.30, "none": 0.85}},
    "affluent savers": {"tone": {"formal": 1.25, "urgent": 0.70}},
    "retirees": {"tone": {"formal": 1.30, "friendly": 0.85, "urgent": 0.80}},
}

DELIVERY_RATE = 0.96
BASE_OPEN_RATE = 0.28
PURCHASE_GIVEN_CLICK = 0.30
# Send-time effects on the open probability (send-time optimisation, seed 001).
HOUR_EFFECT = {8: 1.30, 9: 1.30, 10: 1.20, 12: 1.10, 13: 1.10, 19: 1.25, 20: 1.25}
SEND_HOURS = np.arange(8, 21)  # 08:00 to 20:59
WEEKDAY_EFFECT = {"Tuesday": 1.15, "Thursday": 1.10, "Saturday": 0.85, "Sunday": 0.80}
FIRST_SEND_DAY = pd.Timestamp("2019-06-03")  # a Monday; sends run over 14 days
# Median response times (hours): send -> open, open -> click, click -> purchase.
MEDIAN_HOURS = {"open": 3.0, "click": 0.05, "purchase": 0.75}
URGENT_OPEN_SPEEDUP = 2.0  # "urgent" creatives are opened twice as fast
MEDIAN_AMOUNT = 150.0  # euros of first-year revenue per product sold
UNSUBSCRIBE_GIVEN_OPEN = {"formal": 0.015, "friendly": 0.015, "urgent": 0.06}
REPEAT_3M = {
    "young professionals": 0.65,
    "families": 0.75,
    "affluent savers": 0.85,
    "retirees": 0.80,
}


def _affinity(segment: str, creative_row: pd.Series) -> float:
    multiplier = 1.0
    for attribute, effects in AFFINITY[segment].items():
        multiplier *= effects.get(creative_row[attribute], 1.0)
    return multiplier


def _segment_average(creative: str) -> float:
    """Click-given-open multiplier of a creative, averaged over segments (open-rate weighted)."""
    row = CREATIVES.set_index("creative").loc[creative]
    weights = {s: v["share"] * v["open"] for s, v in SEGMENTS.items()}
    return sum(w * _affinity(s, row) for s, w in weights.items()) / sum(weights.values())


CLICK_GIVEN_OPEN["D"] = CLICK_GIVEN_OPEN["A"] * _segment_average("A") / _segment_average("D")


def _weekday_names() -> list[str]:
    return ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def true_rates() -> dict[str, object]:
    """The exact rates the generator plants, averaged over send times and segments."""
    hour_mult = np.array([HOUR_EFFECT.get(h, 0.85) for h in SEND_HOURS])
    day_mult = np.array([WEEKDAY_EFFECT.get(d, 1.0) for d in _weekday_names()])
    mean_time_mult = hour_mult.mean() * day_mult.mean()
    seg_names = list(SEGMENTS)
    shares = np.array([SEGMENTS[s]["share"] for s in seg_names])
    creatives = CREATIVES.set_index("creative")
    click = pd.DataFrame(
        index=pd.Index(seg_names, name="segment"), columns=creatives.index, dtype=float
    )
    for s in seg_names:
        open_rate = DELIVERY_RATE * BASE_OPEN_RATE * SEGMENTS[s]["open"] * mean_time_mult
        for c, row in creatives.iterrows():
            click.loc[s, c] = open_rate * CLICK_GIVEN_OPEN[c] * _affinity(s, row)
    click_rate = (click.mul(shares, axis=0).sum() / shares.sum()).to_dict()
    seg_open = np.array([SEGMENTS[s]["open"] for s in seg_names])
    mean_seg_open = float((seg_open * shares).sum() / shares.sum())
    base = DELIVERY_RATE * BASE_OPEN_RATE * mean_seg_open
    return {
        "click_rate": {c: float(v) for c, v in click_rate.items()},
        "conversion_rate": {c: float(v) * PURCHASE_GIVEN_CLICK for c, v in click_rate.items()},
        "click_rate_by_segment": click,
        "open_rate_by_hour": pd.Series(base * hour_mult * day_mult.mean(), index=SEND_HOURS),
        "open_rate_by_weekday": pd.Series(
            base * day_mult * hour_mult.mean(), index=_weekday_names()
        ),
        "open_rate": base * mean_time_mult,
    }


def simulate_campaign(n_emails: int = 1000, random_state: int = 4204) -> Simulation:
    """Simulate an e-mail A/B test of five creatives, one row per e-mail sent.

    Parameters
    ----------
    n_emails : int, default 1000
        Number of e-mails, split as evenly as possible between the five creatives.
    random_state : int, default 4204
        Seed; the default gives the shipped ``04-02-Campaign.csv``.

    Returns
    -------
    Simulation
        ``tables["04-02-Campaign.csv"]`` and ``truth`` with the true ``click_rate`` and
        ``conversion_rate`` per creative (per e-mail sent), ``click_rate_by_segment``
        (segment x creative), ``open_rate_by_hour`` and ``open_rate_by_weekday``,
        ``best_creative`` (``"B"``), ``lucky_creative`` (``"D"``, as good as the control
        ``"A"`` in truth but best in the shipped sample), ``control``, ``creatives``
        (attributes), ``median_hours`` (send to open, open to click, click to purchase),
        ``mean_amount`` (euros per sale), ``purchase_given_click``, ``delivery_rate`` and
        ``repeat_rate_3m`` by segment.

    Examples
    --------
    >>> sim = simulate_campaign(n_emails=50)
    >>> sim.tables["04-02-Campaign.csv"].shape
    (50, 15)
    >>> sim.truth["best_creative"]
    'B'
    """
    gen = rng(random_state)
    creatives = CREATIVES.set_index("creative")
    names = creatives.index.to_numpy()
    creative = gen.permutation(np.resize(names, n_emails))
    seg_names = np.array(list(SEGMENTS))
    shares = np.array([SEGMENTS[s]["share"] for s in seg_names])
    segment = gen.choice(seg_names, size=n_emails, p=shares / shares.sum())
    pool = np.arange(1, max(10_000, n_emails) + 1)  # the 10,000 best prospects
    customer = gen.choice(pool, size=n_emails, replace=False)

    day = gen.integers(0, 14, size=n_emails)
    hour = gen.choice(SEND_HOURS, size=n_emails)
    minute = gen.integers(0, 60, size=n_emails)
    sent_at = (
        FIRST_SEND_DAY
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(hour, unit="h")
        + pd.to_timedelta(minute, unit="min")
    )
    weekday = np.array(_weekday_names())[sent_at.day_of_week]

    # Look-ups through small tables, so that millions of e-mails simulate quickly.
    hour_mult = pd.Series(HOUR_EFFECT).reindex(hour).fillna(0.85).to_numpy()
    day_mult = pd.Series(WEEKDAY_EFFECT).reindex(weekday).fillna(1.0).to_numpy()
    seg_index = pd.Index(seg_names).get_indexer(segment)
    creative_index = pd.Index(names).get_indexer(creative)
    seg_open = np.array([SEGMENTS[s]["open"] for s in seg_names])[seg_index]
    affinity_table = np.array([[_affinity(s, creatives.loc[c]) for c in names] for s in seg_names])
    affinity = affinity_table[seg_index, creative_index]
    click_given_open = np.array([CLICK_GIVEN_OPEN[c] for c in names])[creative_index] * affinity
    tone = creatives.loc[creative, "tone"].to_numpy()

    delivered = gen.random(n_emails) < DELIVERY_RATE
    opened = delivered & (gen.random(n_emails) < BASE_OPEN_RATE * seg_open * hour_mult * day_mult)
    clicked = opened & (gen.random(n_emails) < click_given_open)
    bought = clicked & (gen.random(n_emails) < PURCHASE_GIVEN_CLICK)
    unsubscribed = opened & (
        gen.random(n_emails) < pd.Series(UNSUBSCRIBE_GIVEN_OPEN)[tone].to_numpy()
    )
    repeat_p = np.array([REPEAT_3M[s] for s in seg_names])[seg_index]
    repeat = np.where(bought, (gen.random(n_emails) < repeat_p).astype(float), np.nan)

    # Response times: log-normal around the medians, rounded to the second like a real log.
    open_median = MEDIAN_HOURS["open"] / np.where(tone == "urgent", URGENT_OPEN_SPEEDUP, 1.0)
    to_open = open_median * gen.lognormal(0.0, 1.0, n_emails)
    to_click = MEDIAN_HOURS["click"] * gen.lognormal(0.0, 1.2, n_emails)
    to_buy = MEDIAN_HOURS["purchase"] * gen.lognormal(0.0, 1.5, n_emails)

    def stamp(hours: np.ndarray, happened: np.ndarray) -> pd.Series:
        times = sent_at + pd.to_timedelta(np.round(hours * 3600), unit="s")
        return pd.Series(times).where(happened)

    amount = np.where(
        bought, np.round(MEDIAN_AMOUNT * gen.lognormal(0.0, 0.5, n_emails), 2), np.nan
    )

    table = pd.DataFrame(
        {
            "email_id": [f"E{i:05d}" for i in range(1, n_emails + 1)],
            "customer_id": [f"K{c:05d}" for c in customer],
            "segment": segment,
            "creative": creative,
            "colour": creatives.loc[creative, "colour"].to_numpy(),
            "tone": tone,
            "image": creatives.loc[creative, "image"].to_numpy(),
            "sent_at": sent_at,
            "delivered": delivered,
            "opened_at": stamp(to_open, opened),
            "clicked_at": stamp(to_open + to_click, clicked),
            "purchased_at": stamp(to_open + to_click + to_buy, bought),
            "amount": amount,
            "unsubscribed": unsubscribed,
            "repeat_3m": pd.array(repeat, dtype="Int64"),
        }
    )
    rates = true_rates()
    truth = {
        **rates,
        "control": "A",
        "best_creative": "B",
        "lucky_creative": "D",
        "creatives": CREATIVES.copy(),
        "median_hours": dict(MEDIAN_HOURS),
        "mean_amount": float(MEDIAN_AMOUNT * np.exp(0.5**2 / 2)),
        "purchase_given_click": PURCHASE_GIVEN_CLICK,
        "delivery_rate": DELIVERY_RATE,
        "repeat_rate_3m": dict(REPEAT_3M),
    }
    return Simulation(tables={FILE: table}, truth=truth)
