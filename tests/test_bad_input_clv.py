"""Bad input for mlmarketing.clv: French exports, mixed ids, inf, decimal commas, missing values.

Each call either gives the hand-computed answer or raises a DataError naming the column or value
and the fix; nothing else, never silently.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, DataWarning, load_dataset
from mlmarketing.clv import (
    BetaGeo,
    GammaGamma,
    customer_lifetime_value,
    holdout_table,
    rfm_table,
    summary_from_transactions,
)


def french_export() -> pd.DataFrame:
    """Client 7 buys on 2, 16 and 30 January; client 8 on 9 January (day-first text)."""
    return pd.DataFrame(
        {
            "client": [7, 7, 7, 8],
            "date": ["02/01/2024", "16/01/2024", "30/01/2024", "09/01/2024"],
            "montant": [10.0, 20.0, 40.0, 5.0],
        }
    )


# Hand-computed, as_of = 31 January 2024: client 7 last bought 1 day before, 3 purchases, 70 euros;
# client 8 22 days before, 1 purchase, 5 euros. In weeks: 7 has 2 repeats, recency 4, age 29/7.
RFM_7 = [1, 3, 70.0]
RFM_8 = [22, 1, 5.0]


def rfm_values(table: pd.DataFrame, customer: str) -> list:
    return table.loc[customer, ["recency in days", "frequency", "monetary"]].tolist()


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def test_day_first_text_dates_and_day_first_as_of():
    tx = french_export()
    table = rfm_table(tx, "client", "date", "montant", as_of="31/01/2024")
    assert rfm_values(table, "7") == RFM_7
    assert rfm_values(table, "8") == RFM_8
    iso = rfm_table(tx, "client", "date", "montant", as_of="2024-01-31")
    pd.testing.assert_frame_equal(table, iso)


def test_ambiguous_day_first_date_is_read_day_first():
    # "01/02/2024" is 1 February: 31 days after 1 January.
    tx = pd.DataFrame({"c": ["a", "a"], "d": ["01/01/2024", "01/02/2024"], "m": [1.0, 2.0]})
    summary = summary_from_transactions(tx, "c", "d", "m", time_unit="days")
    assert summary.loc["a", "recency"] == 31.0
    assert summary.loc["a", "age"] == 31.0


def test_day_first_calibration_end_and_as_of():
    tx = french_export()
    summary = summary_from_transactions(
        tx, "client", "date", "montant", as_of="31/01/2024", calibration_end="20/01/2024",
        time_unit="days",
    )
    seven = summary.loc["7"]
    # Calibration to 20 January: 2 and 16 January (1 repeat, recency 14, age 18, 20 euros);
    # holdout: 30 January (1 purchase of 40 euros) over 11 days.
    assert (seven["frequency"], seven["recency"], seven["age"], seven["monetary value"]) == (
        1, 14.0, 18.0, 20.0
    )
    assert (seven["holdout frequency"], seven["holdout monetary value"]) == (1, 40.0)
    assert seven["holdout duration"] == 11.0


def test_a_month_first_column_is_read_month_first_and_said():
    tx = pd.DataFrame({"c": ["a", "a"], "d": ["12/01/2023", "12/31/2023"], "m": [1.0, 2.0]})
    with pytest.warns(DataWarning, match="'d' is read month first.*'12/31/2023'"):
        summary = summary_from_transactions(tx, "c", "d", "m", time_unit="days")
    assert summary.loc["a", "recency"] == 30.0  # 1 to 31 December


def test_dates_with_a_time_zone_and_datetime_columns():
    tx = french_export()
    stamps = pd.to_datetime(["2024-01-02", "2024-01-16", "2024-01-30", "2024-01-09"])
    zoned = tx.assign(date=stamps.tz_localize("Europe/Paris"))
    for frame in (tx.assign(date=stamps), zoned):
        table = rfm_table(frame, "client", "date", "montant", as_of="31/01/2024")
        assert rfm_values(table, "7") == RFM_7


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("bientôt", r"'date' holds 'bientôt', which is not a date\. Write dates as 2024-03-31"),
        ("31/31/2024", r"'31/31/2024', which is not a date"),
    ],
)
def test_a_text_that_is_not_a_date_is_named(value, pattern):
    tx = french_export()
    tx.loc[2, "date"] = value
    with pytest.raises(DataError, match=pattern):
        rfm_table(tx, "client", "date", "montant")


def test_bad_single_date_arguments_are_named():
    tx = french_export()
    with pytest.raises(DataError, match="as_of is 'fin janvier', which is not a date"):
        rfm_table(tx, "client", "date", "montant", as_of="fin janvier")
    with pytest.raises(DataError, match="calibration_end must be a date"):
        summary_from_transactions(tx, "client", "date", calibration_end=20240120)
    with pytest.raises(DataError, match=r"after the end of the observation \(as_of = 2024-01-20\)"):
        rfm_table(tx, "client", "date", "montant", as_of="20/01/2024")


def test_numbers_in_the_date_column_are_refused():
    with pytest.raises(DataError, match="'date' must hold dates, not numbers such as 45293"):
        rfm_table(french_export().assign(date=45293), "client", "date", "montant")


# --------------------------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------------------------


def test_infinite_amount_is_refused_with_the_row_named():
    tx = french_export()
    tx.loc[2, "montant"] = np.inf
    with pytest.raises(DataError, match=r"'montant' holds infinite values \(row 2\)"):
        rfm_table(tx, "client", "date", "montant")
    with pytest.raises(DataError, match=r"'montant' holds infinite values \(row 2\)"):
        summary_from_transactions(tx, "client", "date", "montant")


def test_decimal_comma_amounts_are_refused_with_the_fix():
    tx = french_export().assign(montant=["10,00", "20,50", "40,00", "5,00"])
    with pytest.raises(DataError, match=r"'montant' must hold numbers.*'10,00'.*decimal commas"):
        rfm_table(tx, "client", "date", "montant")
    with pytest.raises(DataError, match=r"read_table\(path\)"):
        summary_from_transactions(tx, "client", "date", "montant")


def test_a_yes_no_column_passed_as_amount_is_refused():
    for words in (["Oui", "Non", "Oui", "Non"], ["Vrai", "Faux", "Vrai", "Vrai"]):
        tx = french_export().assign(montant=words)
        expected = f"'montant' must hold numbers but holds text such as '{words[0]}'"
        with pytest.raises(DataError, match=expected):
            rfm_table(tx, "client", "date", "montant")


def test_refunds_are_refused_with_the_rows_named():
    tx = french_export()
    tx.loc[[1, 3], "montant"] = [-20.0, -5.0]
    with pytest.raises(DataError, match=r"'montant' has 2 negative amount\(s\) \(rows 1, 3, such as -20\)"):
        rfm_table(tx, "client", "date", "montant")


def test_zero_amounts_are_purchases():
    tx = french_export()
    tx.loc[1, "montant"] = 0.0
    table = rfm_table(tx, "client", "date", "montant", as_of="31/01/2024")
    assert rfm_values(table, "7") == [1, 3, 50.0]


# --------------------------------------------------------------------------------------------
# Ids
# --------------------------------------------------------------------------------------------


def test_mixed_int_and_text_ids_are_one_customer():
    tx = french_export().astype({"client": object})
    tx["client"] = [7, "7", "7.0", " 8 "]
    table = rfm_table(tx, "client", "date", "montant", as_of="31/01/2024")
    assert table.index.tolist() == ["7", "8"]
    assert rfm_values(table, "7") == RFM_7
    assert rfm_values(table, "8") == RFM_8


def test_a_numeric_customer_number_is_an_id_written_as_text():
    for ids in ([7, 7, 7, 8], [7.0, 7.0, 7.0, 8.0], ["0007", "0007", "0007", "0008"]):
        table = rfm_table(
            french_export().assign(client=ids), "client", "date", "montant", as_of="31/01/2024"
        )
        seven = str(ids[0]) if isinstance(ids[0], str) else "7"
        assert rfm_values(table, seven) == RFM_7
        assert table.index.name == "client"
    # Leading zeros are kept: "0007" and "7" are different ids written by the user.
    zeros = french_export().assign(client=["0007"] * 3 + ["7"])
    assert rfm_table(zeros, "client", "date", "montant").index.tolist() == ["0007", "7"]


def test_the_callers_data_is_not_modified():
    tx = french_export().astype({"client": object})
    tx["client"] = [7, "7", "7.0", 8]
    tx.loc[3, "montant"] = np.nan
    before = tx.copy()
    with pytest.warns(DataWarning):
        rfm_table(tx, "client", "date", "montant")
    pd.testing.assert_frame_equal(tx, before)


# --------------------------------------------------------------------------------------------
# Missing customer, date or amount: left out and counted
# --------------------------------------------------------------------------------------------


def test_rows_without_customer_date_or_amount_are_left_out_and_counted():
    tx = pd.concat([french_export(), french_export().iloc[:3]], ignore_index=True)
    tx.loc[4, "client"] = np.nan
    tx.loc[5, "date"] = None
    tx.loc[6, "montant"] = np.nan
    with pytest.warns(DataWarning) as caught:
        table = rfm_table(tx, "client", "date", "montant", as_of="31/01/2024")
    messages = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
    assert messages == [
        "3 of 7 rows left out: no customer in 'client' (1), no date in 'date' (1), "
        "no amount in 'montant' (1)."
    ]
    assert rfm_values(table, "7") == RFM_7
    assert rfm_values(table, "8") == RFM_8


def test_no_warning_when_nothing_is_left_out():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rfm_table(french_export(), "client", "date", "montant")


def test_every_row_missing_is_an_error():
    tx = french_export().assign(montant=np.nan)
    with pytest.raises(DataError, match="every transaction lacks a customer, a date or an amount"):
        rfm_table(tx, "client", "date", "montant")


# --------------------------------------------------------------------------------------------
# Model inputs
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    return summary_from_transactions(
        load_dataset("cdnow"), "customer_id", "date", "amount", as_of="1998-06-30",
        calibration_end="1997-09-30",
    )


def test_gamma_gamma_leaves_out_a_zero_spend_customer_instead_of_stopping(cdnow_summary):
    # CDNOW-like: one repeat customer whose repeat purchases were free.
    summary = cdnow_summary.copy()
    repeat = summary.index[summary["frequency"] > 0]
    summary.loc[repeat[0], "monetary value"] = 0.0
    with pytest.warns(DataWarning, match=r"1 of 946 rows left out.*'monetary value' = 0 \(such as '0001'\)"):
        model = GammaGamma().fit(summary)
    assert model.n_customers_ == 945
    assert model.params_["p"] == pytest.approx(6.25, rel=0.01)
    spend = model.expected_spend(summary)
    assert np.isfinite(spend).all()
    x = summary.loc[repeat[0], "frequency"]
    p, q, gamma = (model.params_[k] for k in ("p", "q", "gamma"))
    assert spend.loc[repeat[0]] == pytest.approx(p * gamma / (p * x + q - 1))


def test_negative_or_infinite_model_inputs_are_refused_with_rows(cdnow_summary):
    part = cdnow_summary.iloc[:20]
    with pytest.raises(DataError, match=r"'monetary value' holds negative mean spends \(row 0002"):
        GammaGamma().fit(part.assign(**{"monetary value": [10.0, -1.0] + [10.0] * 18}))
    with pytest.raises(DataError, match=r"'age' holds infinite values \(row 0001\)"):
        BetaGeo().fit(part.assign(age=[np.inf] + [30.0] * 19))
    with pytest.raises(DataError, match=r"'recency' must hold numbers.*'30,4'.*decimal commas"):
        BetaGeo().fit(part.assign(recency=["30,4"] * 20))


def test_lifetime_value_arguments(cdnow_summary):
    bg = BetaGeo().fit(cdnow_summary)
    gg = GammaGamma().fit(cdnow_summary)
    part = cdnow_summary.iloc[:3]
    with pytest.raises(DataError, match="margin must be a share between 0 and 1, such as 0.3, got '30 %'"):
        customer_lifetime_value(bg, gg, part, margin="30 %")
    with pytest.raises(DataError, match="monthly_discount_rate must be a rate per month"):
        customer_lifetime_value(bg, gg, part, monthly_discount_rate=float("inf"))
    with pytest.raises(DataError, match="months must be a whole number"):
        customer_lifetime_value(bg, gg, part, months=6.5)
    with pytest.raises(DataError, match="spend_model must be a fitted GammaGamma, got BetaGeo"):
        customer_lifetime_value(bg, bg, part)
    with pytest.raises(DataError, match="time_unit must be one of"):
        customer_lifetime_value(bg, gg, part, time_unit="mois")


def test_holdout_table_bad_predictions(cdnow_summary):
    with pytest.raises(DataError, match=r"'naive' holds infinite values \(row 0\)"):
        holdout_table(cdnow_summary, {"naive": np.r_[np.inf, np.zeros(len(cdnow_summary) - 1)]})
    with pytest.raises(DataError, match="predictions must be a dict"):
        holdout_table(cdnow_summary, [1.0, 2.0])
    # A Series indexed by customer is aligned on the summary, whatever its order.
    predicted = BetaGeo().fit(cdnow_summary).expected_purchases(cdnow_summary, 39)
    shuffled = predicted.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(
        holdout_table(cdnow_summary, {"m": predicted}), holdout_table(cdnow_summary, {"m": shuffled})
    )


# --------------------------------------------------------------------------------------------
# Laws
# --------------------------------------------------------------------------------------------

_spellings = st.sampled_from([lambda i: i, str, lambda i: f"{i}.0", lambda i: f" {i} ", float])


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_spelling_of_the_ids_gives_the_same_rfm_and_summary(data):
    n = data.draw(st.integers(min_value=2, max_value=30))
    ids = data.draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    days = data.draw(st.lists(st.integers(0, 90), min_size=n, max_size=n))
    euros = st.floats(0, 300, allow_nan=False).map(lambda v: round(v, 2))
    amounts = data.draw(st.lists(euros, min_size=n, max_size=n))
    spell = data.draw(st.lists(_spellings, min_size=n, max_size=n))
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    plain = pd.DataFrame({"c": ids, "d": dates, "m": amounts})
    mixed = plain.assign(c=pd.Series([f(i) for f, i in zip(spell, ids, strict=True)], dtype=object))
    pd.testing.assert_frame_equal(rfm_table(mixed, "c", "d", "m"), rfm_table(plain, "c", "d", "m"))
    pd.testing.assert_frame_equal(
        summary_from_transactions(mixed, "c", "d", "m"), summary_from_transactions(plain, "c", "d", "m")
    )


@settings(max_examples=30, deadline=None)
@given(
    days=st.lists(st.integers(0, 700), min_size=2, max_size=25),
    style=st.sampled_from(["%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%y"]),
)
def test_french_text_dates_give_the_same_summary_as_dates(days, style):
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D")
    tx = pd.DataFrame({"c": [i % 3 for i in range(len(days))], "d": dates, "m": 10.0})
    text = tx.assign(d=dates.strftime(style))
    pd.testing.assert_frame_equal(
        summary_from_transactions(text, "c", "d", "m"), summary_from_transactions(tx, "c", "d", "m")
    )
