"""Bad input for every public helper of mlmarketing.forecasting that reads dates, yes/no
columns or amounts: French exports (day-first text dates, Oui/Non and Vrai/Faux, decimal
commas), inf, negative demand, and calendars broken by swapped days and months, a change of
weekday or one mistyped year. Each call gives the hand-computed answer or a DataError naming
the column or value and the fix. (The module takes no ids, categories or groups.)"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, DataWarning
from mlmarketing.forecasting import (
    ETS,
    AutoETS,
    RegressionARIMA,
    backtest,
    coverage,
    critical_service_level,
    forecast,
    french_calendar,
    mae,
    mape,
    mase,
    order_quantities,
    prepare_series,
    rmse,
    safety_stock,
    stock_costs,
    what_if,
)

WEEKS = pd.date_range("2021-01-04", periods=60, freq="W-MON")


def french_table() -> pd.DataFrame:
    """A weekly export as a French shop writes it: day-first dates, Oui/Non, Vrai/Faux."""
    t = np.arange(60)
    return pd.DataFrame(
        {
            "semaine": WEEKS.strftime("%d/%m/%Y"),
            "ventes": 100 + 2 * t,
            "promo": np.where(t % 5 == 0, "Oui", "Non"),
            "rupture": np.where(t % 7 == 0, "Vrai", "faux "),
        }
    )


# ---------------------------------------------------------------- prepare_series: what it reads


def test_day_first_text_dates_and_french_yes_no_are_read_right():
    df = french_table()
    before = df.copy()
    y, X = prepare_series(df, "semaine", "ventes", exog=["promo", "rupture"])
    pd.testing.assert_frame_equal(df, before)  # the caller's table is untouched
    # "11/01/2021" is 11 January (a Monday), not 1 November.
    assert y.index[1] == pd.Timestamp("2021-01-11") and y.index.freqstr == "W-MON"
    assert y.iloc[:3].tolist() == [100.0, 102.0, 104.0]
    # Week 0, 5, 10... had a promotion (Oui = 1); weeks 0, 7, 14... a stock-out (Vrai = 1).
    assert X["promo"].iloc[:6].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    assert X["rupture"].iloc[:8].tolist() == [1.0, 0, 0, 0, 0, 0, 0, 1.0]


def test_a_column_only_consistent_with_month_first_is_read_so_and_said():
    df = french_table().assign(semaine=WEEKS.strftime("%m/%d/%Y"))
    with pytest.warns(DataWarning, match="'semaine' is read month first"):
        y, _ = prepare_series(df, "semaine", "ventes")
    assert y.index.equals(WEEKS.rename("semaine"))


def test_day_first_can_be_forced():
    df = french_table().iloc[:3].assign(semaine=["01/01/2021", "02/01/2021", "03/01/2021"])
    assert prepare_series(df, "semaine", "ventes")[0].index.freqstr == "D"  # 1, 2, 3 January
    y, _ = prepare_series(df, "semaine", "ventes", day_first=False)
    assert y.index.freqstr == "MS" and y.index[1] == pd.Timestamp("2021-02-01")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.assign(ventes=d["ventes"].astype(float).where(d.index != 3, np.inf)),
         r"'ventes' holds infinite values \(row 3\).*drop those rows"),
        (lambda d: d.assign(ventes=d["ventes"].where(d.index != 3, -5)),
         r"'ventes' holds negative sales \(row 3, such as -5\).*Correct or drop"),
        (lambda d: d.assign(ventes=d["ventes"].astype(str) + ",5"),
         r"'ventes'.*'100,5'.*decimal commas.*read_table.*str\.replace\(',', '\.'"),
        (lambda d: d.assign(pub=(d["ventes"] * 10).astype(str) + ",50"),
         r"'pub'.*'1000,50'.*decimal commas"),
        (lambda d: d.assign(promo=d["promo"].where(d.index != 3, "Peut-être")),
         r"'promo' must be yes/no.*'Peut-être'.*Recode"),
        (lambda d: d.assign(promo=None),
         r"'promo' has no value at all"),
        (lambda d: d.assign(semaine=d["semaine"].where(d.index != 3)),
         r"'semaine' has 1 missing date\(s\) \(row 3\).*Drop or fix"),
        (lambda d: d.assign(semaine=d["semaine"].where(d.index != 3, "31/02/2021")),
         r"'semaine'.*'31/02/2021'.*not a date"),
        (lambda d: d.assign(semaine=d["semaine"].where(d.index != 3, "la veille")),
         r"'semaine' holds 'la veille', which is not a date.*2024-03-31"),
    ],
)
def test_prepare_series_refuses_bad_values_naming_them_and_the_fix(change, message):
    df = change(french_table())
    exog = ["promo", "rupture"] + (["pub"] if "pub" in df else [])
    with pytest.raises(DataError, match=message):
        prepare_series(df, "semaine", "ventes", exog=exog)


# ---------------------------------------------------------------- prepare_series: gap causes


def test_dates_read_month_first_upstream_are_named_as_swapped_days_and_months():
    # pd.to_datetime(..., format="mixed") reads "01/02/2021" as 2 January: the calendar breaks.
    df = french_table()
    df["semaine"] = pd.to_datetime(df["semaine"], format="mixed", dayfirst=False)
    with pytest.raises(DataError, match=r"2021-01-02 look like day and month swapped \(2021-02-01"):
        prepare_series(df, "semaine", "ventes")


def test_a_change_of_weekday_is_named():
    df = french_table().assign(semaine=list(WEEKS[:30]) + list(WEEKS[30:] - pd.Timedelta(days=1)))
    with pytest.raises(
        DataError,
        match=r"on a Monday until 2021-07-26, then on a Sunday from 2021-08-01.*move the dates "
        r"from 2021-08-01 by \+1 day",
    ):
        prepare_series(df, "semaine", "ventes")


@pytest.mark.parametrize("row, typed", [(20, "24/05/2012"), (59, "21/02/2222"), (0, "04/01/2012")])
def test_one_mistyped_year_is_named_with_the_date_it_should_be(row, typed):
    df = french_table()
    df.loc[row, "semaine"] = typed
    right = WEEKS[row].date()
    with pytest.raises(DataError, match=f"looks like a mistyped year: {right} is the one period"):
        prepare_series(df, "semaine", "ventes")


def test_a_real_gap_is_still_a_gap():
    with pytest.raises(DataError, match=r"gaps.*2 period\(s\) missing, such as 2021-03-15"):
        prepare_series(french_table().drop(index=[10, 11]), "semaine", "ventes")


@pytest.mark.parametrize(
    "freq, message",
    [("month", r"freq must be a pandas offset alias.*'W-MON'.*got 'month'"), ("D", r"frequency 'D'")],
)
def test_freq_is_a_pandas_offset_alias(freq, message):
    with pytest.raises(DataError, match=message):
        prepare_series(french_table(), "semaine", "ventes", freq=freq)
    y, _ = prepare_series(french_table(), "semaine", "ventes", freq="W-MON")
    assert y.index.freqstr == "W-MON"


# ---------------------------------------------------------------- the calendar


def test_french_calendar_reads_day_first_text():
    # 01/04/2024 is Easter Monday (1 April), 08/05/2024 is 8 May: one holiday each.
    cal = french_calendar(["01/04/2024", "08/05/2024", "04/03/2024"], period_days=1)
    assert cal.index.tolist() == pd.to_datetime(["2024-04-01", "2024-05-08", "2024-03-04"]).tolist()
    assert cal["public_holidays"].tolist() == [1, 1, 0]
    with pytest.raises(DataError, match=r"'dates' holds 'demain', which is not a date"):
        french_calendar(["01/04/2024", "demain"])
    with pytest.raises(DataError, match=r"dates has 1 missing date"):
        french_calendar(["01/04/2024", None])


# ---------------------------------------------------------------- metrics and decisions


@pytest.mark.parametrize("score", [mae, rmse, mape])
@pytest.mark.parametrize(
    "actual, message",
    [
        ([100.0, np.inf], r"'y_true' holds infinite values \(row 1\)"),
        (["100,5", "80,5"], r"'y_true'.*'100,5'.*decimal commas.*read_table"),
        ([100.0, None], r"y_true has missing values \(row 1\)"),
    ],
)
def test_scores_refuse_inf_decimal_commas_and_missing_values(score, actual, message):
    with pytest.raises(DataError, match=message):
        score(actual, [90.0, 80.0])


def test_scores_by_hand_on_series_and_lists_alike():
    actual = pd.Series([100.0, 80.0, 0.0])
    assert mae(actual, [90, 90, 10]) == pytest.approx(10.0)
    assert rmse(actual, [90, 90, 10]) == pytest.approx(10.0)
    with pytest.warns(DataWarning, match="MAPE is undefined"):
        assert np.isnan(mape(actual, [90, 90, 10]))
    assert mase([5, 7], [6, 6], [1, 2, 4, 3]) == pytest.approx(1 / (4 / 3))
    assert coverage([1, 2], [0, 3], [2, 4]) == 50.0
    with pytest.raises(DataError, match=r"'y_train' holds infinite"):
        mase([1, 2], [1, 2], [1, np.inf, 3])


def test_stock_decisions_refuse_negative_demand_inf_and_decimal_commas():
    assert stock_costs([10, 0], [5, 5], 2.0, 1.0)["cost"] == 5 * 2.0 + 5 * 1.0
    with pytest.raises(DataError, match=r"'actual' holds negative demand \(row 1, such as -1\)"):
        stock_costs([10, -1], [5, 5], 1.0, 1.0)
    with pytest.raises(DataError, match=r"'stocked' holds negative stock"):
        stock_costs([10, 1], [5, -5], 1.0, 1.0)
    with pytest.raises(DataError, match=r"'actual' holds infinite values \(row 1\)"):
        stock_costs([10, np.inf], [5, 5], 1.0, 1.0)
    with pytest.raises(DataError, match=r"'actual'.*'10,5'.*decimal commas"):
        stock_costs(pd.Series(["10,5", "3,5"]), [5, 5], 1.0, 1.0)
    with pytest.raises(DataError, match="one stock level per period"):
        stock_costs([10, 1], [5], 1.0, 1.0)
    with pytest.raises(DataError, match=r"underage_cost must be a positive amount.*inf"):
        critical_service_level(np.inf, 1.0)
    with pytest.raises(DataError, match=r"'forecast' holds negative demand forecasts \(row 1"):
        order_quantities(pd.DataFrame({"forecast": [10.0, -3.0]}), [1, 2, 3])
    with pytest.raises(DataError, match=r"'forecast'.*'10,5'.*decimal commas"):
        order_quantities(pd.DataFrame({"forecast": ["10,5", "3"]}), [1, 2, 3])
    with pytest.raises(DataError, match=r"'errors' holds infinite values \(row 1\)"):
        safety_stock([1, np.inf, 3])
    with pytest.raises(DataError, match=r"'errors'.*'1,5'.*decimal commas"):
        safety_stock(["1,5", "2,5", "-1,5"])


def test_missing_forecast_errors_are_counted_not_dropped_silently():
    with pytest.warns(DataWarning, match="1 of 4 rows left out: their forecast error is missing"):
        buffer = safety_stock([-10.0, np.nan, 0.0, 10.0], 0.5)
    assert buffer == pytest.approx(0.0, abs=1e-12)


# ---------------------------------------------------------------- models fed bad series and inputs


def weekly(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=WEEKS[: len(values)])


def test_models_refuse_an_infinite_sale_and_text_inputs():
    y = weekly(np.arange(60.0) % 4 + 10)
    with pytest.raises(DataError, match=r"holds infinite values \(row 2021-01-11"):
        forecast(y.where(y.index != WEEKS[1], np.inf), "naive", 2)
    with pytest.raises(DataError, match=r"holds infinite values"):
        backtest(y.where(y.index != WEEKS[1], np.inf), {"naive": "naive"}, horizon=4, n_folds=1,
                 season_length=4)
    X = pd.DataFrame({"promo": (np.arange(60) % 3 == 0).astype(float)}, index=WEEKS)
    text = X.assign(promo=X["promo"].map({1.0: "1,0", 0.0: "0,0"}))
    with pytest.raises(DataError, match=r"'promo'.*'1,0'.*decimal commas"):
        backtest(y, {"arima": RegressionARIMA(fourier=0)}, horizon=4, n_folds=1, season_length=4,
                 exog=text)


def test_what_if_refuses_decimal_comma_plans():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"promo": (rng.random(60) < 0.3).astype(float)}, index=WEEKS)
    y = weekly(100 + 20 * X["promo"].to_numpy() + rng.normal(0, 1, 60))
    model = RegressionARIMA(fourier=0, trend=False).fit(y, X)
    plan = X.iloc[-4:]
    extra = what_if(model, plan, plan.assign(promo=1.0))
    added = float((1.0 - plan["promo"]).sum())
    assert extra["extra units"].iloc[0] == pytest.approx(added * model.result_.params["promo"])
    with pytest.raises(DataError, match=r"'promo'.*decimal commas"):
        what_if(model, plan, plan.assign(promo="1,0"))


# ---------------------------------------------------------------- laws


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2060-01-01").date()),
       st.integers(4, 40))
def test_day_first_text_and_iso_text_give_the_same_series(start, n):
    weeks = pd.date_range(pd.Timestamp(start), periods=n, freq="7D")
    sales = np.arange(n, dtype=float)
    iso = pd.DataFrame({"d": weeks.strftime("%Y-%m-%d"), "v": sales})
    french = iso.assign(d=weeks.strftime("%d/%m/%Y"))
    y_iso, _ = prepare_series(iso, "d", "v")
    y_fr, _ = prepare_series(french, "d", "v", day_first=True)
    pd.testing.assert_series_equal(y_iso, y_fr)
    assert y_iso.index[0] == weeks[0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=1, max_size=30),
       st.floats(0.1, 50), st.floats(0.1, 50))
def test_stock_costs_add_up(pairs, under, over):
    demand, stock = (np.array(v, dtype=float) for v in zip(*pairs, strict=True))
    costs = stock_costs(demand, stock, under, over)
    assert costs["units short"] - costs["units left over"] == pytest.approx((demand - stock).sum())
    assert costs["cost"] == pytest.approx(costs["units short"] * under + costs["units left over"] * over)
    assert costs["periods with stock-out"] == int((demand > stock).sum())


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["Oui", "non", " OUI ", "Vrai", "faux", "1", "0"]), min_size=3,
                max_size=20))
def test_yes_no_inputs_become_one_and_zero(words):
    n = len(words)
    df = pd.DataFrame({"d": WEEKS[:n].strftime("%d/%m/%Y"), "v": np.ones(n), "flag": words})
    _, X = prepare_series(df, "d", "v", exog=["flag"])
    expected = [1.0 if w.strip().lower() in {"oui", "vrai", "1"} else 0.0 for w in words]
    assert X["flag"].tolist() == expected


def test_exponential_smoothing_on_a_french_export_with_weeks_without_sales():
    # Weeks without sales ("0" in the export) rule out the multiplicative forms, which divide
    # by the level: AutoETS tries the additive ones only, the fixed ETS says what to do.
    df = french_table()
    df["ventes"] = np.tile([20, 35, 50, 35], 15) + np.arange(60)
    df.loc[7, "ventes"] = 0
    y, _ = prepare_series(df, "semaine", "ventes")
    table = AutoETS(season_length=4).fit(y).summary()
    assert set(table["error"]) == {"additive"} and "multiplicative" not in set(table["season"])
    with pytest.raises(DataError, match=r"2021-02-22.*seasonal='add'"):
        ETS(seasonal="mul", season_length=4).fit(y)
    with pytest.raises(DataError, match="holds infinite values"):
        AutoETS(season_length=4).fit(y.where(y.index != WEEKS[3], np.inf))
