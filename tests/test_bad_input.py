"""The rulebook across modules: the same French export reads the same in every helper.

Each module has its own bad-input tests (``tests/test_bad_input_<module>.py``). This one calls
several modules with the same values and checks that they agree with each other and with the
hand-computed answer: a day-first date is the same day everywhere, a Vrai/Faux column counts
the same successes everywhere, ``7`` and ``"7"`` are one customer everywhere, and an infinite
amount is a DataError everywhere (never another exception, never a silent answer).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, clv, experiments, forecasting, media, recommend, scoring, survival

# Three customers, five purchases; dates written the French way. 01/02/2024 is 1 February.
FRENCH = pd.DataFrame({
    "client": [7, "7", "7.0", "8", "9"],
    "jour": ["01/02/2024", "15/02/2024", "01/03/2024", "10/02/2024", "28/02/2024"],
    "montant": [10.0, 20.0, 30.0, 5.0, 8.0],
})
ISO = FRENCH.assign(
    client=["7", "7", "7", "8", "9"],
    jour=pd.to_datetime(["2024-02-01", "2024-02-15", "2024-03-01", "2024-02-10", "2024-02-28"]),
)


def test_day_first_dates_and_as_of_read_the_same_in_clv_and_survival():
    as_of = "01/04/2024"  # 1 April, not 4 January
    french = clv.rfm_table(FRENCH, "client", "jour", "montant", as_of=as_of)
    iso = clv.rfm_table(ISO, "client", "jour", "montant", as_of=pd.Timestamp(2024, 4, 1))
    pd.testing.assert_frame_equal(french, iso)
    assert len(french) == 3  # 7, "7" and "7.0" are one customer
    assert french.loc["7", "recency in days"] == 31  # 1 March to 1 April, by hand
    subscriptions = pd.DataFrame({"start": ["01/02/2024", "15/01/2024"], "end": [None, "01/03/2024"]})
    tenure = survival.tenure_table(subscriptions, "start", "end", as_of=as_of, time_unit="days")
    assert tenure.filter(like="tenure").iloc[:, 0].tolist() == [60, 46]  # 1 Feb→1 Apr, 15 Jan→1 Mar


def test_day_first_dates_read_the_same_in_forecasting_and_experiments():
    weeks = pd.DataFrame({"semaine": ["01/01/2024", "08/01/2024", "15/01/2024", "22/01/2024"],
                          "ventes": [10, 12, 11, 13]})
    y, _ = forecasting.prepare_series(weeks, "semaine", "ventes")
    assert y.index[1] == pd.Timestamp(2024, 1, 8)  # 8 January, not 1 August
    emails = pd.DataFrame({"version": ["A", "B"], "envoi": ["03/06/2024 09:00", "03/06/2024 09:00"],
                           "ouverture": ["03/06/2024 11:30", None]})
    delays = experiments.time_to_event(emails, "envoi", ["ouverture"], time_unit="hours")
    assert 2.5 in delays.select_dtypes("number").to_numpy()


@pytest.mark.parametrize("coding", [("Vrai", "Faux"), ("Oui", "Non"), ("yes", "no"), (True, False), (1, 0)])
def test_a_yes_no_column_counts_the_same_successes_everywhere(coding):
    yes, no = coding
    df = pd.DataFrame({"groupe": ["A"] * 4 + ["B"] * 4,
                       "resultat": [yes, no, no, no, yes, yes, yes, no],
                       "duree": [1, 2, 3, 4, 1, 2, 3, 4]})
    arms = experiments.compare_arms(df, "groupe", "resultat")
    assert arms["successes"].tolist() == [1, 3]
    rates = scoring.rate_by(df, "resultat", "groupe")
    assert rates.loc[["A", "B"], "rate"].tolist() == [0.25, 0.75]
    # Kaplan-Meier by hand: 2 of 8 leave at 1, 1 of 6 at 2, 1 of 4 at 3, none of 2 at 4.
    km = survival.kaplan_meier(df, "duree", "resultat")
    assert km["survival"].iloc[-1] == pytest.approx((1 - 2 / 8) * (1 - 1 / 6) * (1 - 1 / 4), abs=1e-12)


def test_ids_written_several_ways_are_one_customer_everywhere():
    purchases = FRENCH.assign(produit=["p1", "p2", "p1", "p1", "p3"])
    model = recommend.PopularityRecommender(customer="client", item="produit").fit(purchases)
    assert len(model.customers_) == 3
    assert len(clv.rfm_table(FRENCH, "client", "jour", "montant")) == 3


@pytest.mark.parametrize(
    "call",
    [
        lambda df: clv.rfm_table(df, "client", "jour", "montant"),
        lambda df: media.media_kpis(df.assign(impressions=1000, canal="tv"), "canal", spend="montant",
                                    clicks=None, conversions=None, revenue=None),
        lambda df: survival.kaplan_meier(df.assign(fin=1), "montant", "fin"),
        lambda df: scoring.fit_scoring_model(
            pd.concat([df] * 4, ignore_index=True).assign(achat=["Oui", "Non"] * 10), "achat",
            features=["montant"]),
    ],
    ids=["clv", "media", "survival", "scoring"],
)
@pytest.mark.parametrize("bad", [np.inf, -np.inf, "70,35"], ids=["inf", "-inf", "decimal comma"])
def test_an_unusable_amount_is_a_data_error_naming_the_column_everywhere(call, bad):
    df = FRENCH.copy()
    df["montant"] = df["montant"].astype(object)
    df.loc[1, "montant"] = bad
    if not isinstance(bad, str):
        df["montant"] = df["montant"].astype(float)
    else:
        df["montant"] = df["montant"].astype(str).where(df.index == 1, df["montant"].astype(str).str.replace(
            ".", ",", regex=False))
    with pytest.raises(DataError, match="'montant'"):
        call(df)


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_a_date_written_day_first_or_iso_gives_the_same_rfm(day):
    rows = pd.DataFrame({"c": ["a", "b"], "amount": [1.0, 2.0]})
    french = rows.assign(d=[day.strftime("%d/%m/%Y")] * 2)
    iso = rows.assign(d=[day.isoformat()] * 2)
    as_of = day + dt.timedelta(days=30)
    pd.testing.assert_frame_equal(
        clv.rfm_table(french, "c", "d", "amount", as_of=as_of.strftime("%d/%m/%Y")),
        clv.rfm_table(iso, "c", "d", "amount", as_of=as_of.isoformat()),
    )
