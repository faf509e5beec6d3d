"""Tests of mlmarketing.clv: published CDNOW numbers, planted truth, hand cases, bad inputs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special
from sklearn.metrics import roc_auc_score

from mlmarketing import DataError, DataWarning, load_dataset
from mlmarketing.clv import (
    BetaGeo,
    GammaGamma,
    customer_lifetime_value,
    holdout_table,
    plot_holdout,
    rfm_segment_summary,
    rfm_table,
    summary_from_transactions,
)
from mlmarketing.simulate import generate, planted_truth

# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    cdnow = load_dataset("cdnow")
    return summary_from_transactions(
        cdnow, "customer_id", "date", "amount", as_of="1998-06-30", calibration_end="1997-09-30"
    )


@pytest.fixture(scope="module")
def cdnow_bg(cdnow_summary) -> BetaGeo:
    return BetaGeo().fit(cdnow_summary)


@pytest.fixture(scope="module")
def shop_summary() -> pd.DataFrame:
    return summary_from_transactions(load_dataset("transactions"), "customer_id", "date", "amount")


@pytest.fixture(scope="module")
def shop_bg(shop_summary) -> BetaGeo:
    return BetaGeo().fit(shop_summary)


@pytest.fixture(scope="module")
def shop_gg(shop_summary) -> GammaGamma:
    return GammaGamma().fit(shop_summary)


def small_transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client": ["a", "a", "a", "a", "b", "c", "c"],
            "jour": [
                "2024-01-01",
                "2024-01-15",
                "2024-01-15",
                "2024-01-29",
                "2024-01-08",
                "2024-01-02",
                "2024-01-09",
            ],
            "euros": [10.0, 5.0, 15.0, 40.0, 5.0, 8.0, 12.0],
        }
    )


# --------------------------------------------------------------------------------------------
# Published numbers on CDNOW (Fader, Hardie and Lee 2005; Fader and Hardie 2013)
# --------------------------------------------------------------------------------------------

PUBLISHED_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
TOLERANCE = 0.005  # relative: 0.5 %


def test_cdnow_summary_matches_the_papers_calibration_data(cdnow_summary):
    # 2,357 customers; customer 1 is the papers' example: x = 2, t_x = 30.43, T = 38.86.
    assert len(cdnow_summary) == 2357
    first = cdnow_summary.loc["0001"]
    assert first["frequency"] == 2
    assert first["recency"] == pytest.approx(30.43, abs=0.005)
    assert first["age"] == pytest.approx(38.86, abs=0.005)
    assert first["monetary value"] == pytest.approx(22.345)  # (29.73 + 14.96) / 2
    assert (cdnow_summary["holdout duration"] == 39.0).all()
    # 946 repeat buyers in calibration, 1,882 purchases in the holdout (Fader and Hardie).
    assert (cdnow_summary["frequency"] > 0).sum() == 946
    assert cdnow_summary["holdout frequency"].sum() == 1882


def test_betageo_reproduces_the_published_cdnow_parameters(cdnow_bg):
    for name, published in PUBLISHED_BG.items():
        assert cdnow_bg.params_[name] == pytest.approx(published, rel=TOLERANCE), name
    assert cdnow_bg.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)
    assert cdnow_bg.converged_


def test_betageo_conditional_expectation_of_the_papers_example(cdnow_bg):
    one = pd.DataFrame({"frequency": [2], "recency": [30.43], "age": [38.86]})
    assert cdnow_bg.expected_purchases(one, 39).iloc[0] == pytest.approx(1.226, abs=0.0005)


def test_gammagamma_reproduces_the_published_cdnow_parameters(cdnow_summary):
    model = GammaGamma().fit(cdnow_summary)
    assert model.n_customers_ == 946
    for name, published in PUBLISHED_GG.items():
        assert model.params_[name] == pytest.approx(published, rel=TOLERANCE), name


def _assert_estimates(model, expected: dict, errors: dict, log_likelihood: float) -> None:
    """Parameters to 1e-7, standard errors to 1e-6 and the log-likelihood to 1e-5 of the reference."""
    for name in expected:
        assert model.params_[name] == pytest.approx(expected[name], rel=1e-7), name
        assert model.standard_errors_[name] == pytest.approx(errors[name], rel=1e-6), name
    assert model.log_likelihood_ == pytest.approx(log_likelihood, abs=1e-5)


def test_gammagamma_matches_lifetimes_on_the_cdnow_calibration(cdnow_summary):
    model = GammaGamma().fit(cdnow_summary)
    # lifetimes 0.11.3 GammaGammaFitter().fit(frequency, monetary value) on the same 946
    # repeat customers (its v is gamma); its log-likelihood is -946 x its mean.
    expected = {"p": 6.2495722776, "q": 3.7442246748, "gamma": 15.4435210184}
    errors = {"p": 1.1900553464, "q": 0.2901330676, "gamma": 4.1594228022}
    _assert_estimates(model, expected, errors, log_likelihood=-4055.917695)
    assert model.converged_


def test_gammagamma_matches_lifetimes_on_the_full_cdnow_master():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("lifetimes")  # found, not imported: it changes pandas options
    if spec is None:
        pytest.skip("lifetimes (which ships CDNOW_master.txt) is not installed")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "CDNOW_master.txt"
    master = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    master["date"] = pd.to_datetime(master["date"], format="%Y%m%d")
    summary = summary_from_transactions(master, "customer_id", "date", "dollar_value")
    with pytest.warns(DataWarning, match="1 of 11,516 rows left out"):
        model = GammaGamma().fit(summary)
    assert model.n_customers_ == 11515
    # lifetimes 0.11.3 GammaGammaFitter on the same 11,515 customers (frequency > 0, spend > 0).
    expected = {"p": 5.0860441072, "q": 3.9951207390, "gamma": 21.2522376449}
    errors = {"p": 0.2567465110, "q": 0.0870248957, "gamma": 1.5268502047}
    _assert_estimates(model, expected, errors, log_likelihood=-49496.524203)


def test_gammagamma_gradient_and_hessian_are_those_of_its_likelihood(cdnow_summary):
    from scipy.optimize import approx_fprime

    from mlmarketing.clv import _SpendData

    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    data = _SpendData(repeat["frequency"].to_numpy(float), repeat["monetary value"].to_numpy(float))
    for point in (np.zeros(3), np.log([6.0, 3.5, 15.0]), np.log([0.5, 8.0, 200.0])):
        _, gradient = data.neg_log_likelihood(point)
        numeric = approx_fprime(point, lambda u: data.neg_log_likelihood(u)[0], 1e-7)
        np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-3)
        numeric_hessian = np.array([
            approx_fprime(point, lambda u, i=i: data.neg_log_likelihood(u)[1][i], 1e-7)
            for i in range(3)
        ])
        np.testing.assert_allclose(data.hessian(point), numeric_hessian, rtol=1e-4, atol=1e-2)
    # The same value as the customer-by-customer formula of the paper.
    p, q, gamma = 6.0, 3.5, 15.0
    x, m = data.x, data.xm / data.x
    by_customer = (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q)
                   + q * np.log(gamma) + (p * x - 1) * np.log(m) + p * x * np.log(x)
                   - (p * x + q) * np.log(gamma + x * m)).sum()
    assert -data.neg_log_likelihood(np.log([p, q, gamma]))[0] == pytest.approx(by_customer, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Planted truth on the shipped synthetic data
# --------------------------------------------------------------------------------------------


def test_betageo_recovers_the_planted_parameters(shop_bg):
    truth = planted_truth("transactions")["bg_nbd"]
    for name, planted in truth.items():
        error = shop_bg.standard_errors_[name]
        assert 0 < error < planted, name
        assert abs(shop_bg.params_[name] - planted) < 2 * error, name


def test_gammagamma_recovers_the_planted_parameters(shop_gg):
    truth = planted_truth("transactions")["gamma_gamma"]
    for name, planted in truth.items():
        error = shop_gg.standard_errors_[name]
        assert abs(shop_gg.params_[name] - planted) < 2 * error, name


def test_probability_alive_and_expected_purchases_track_the_truth(shop_bg, shop_summary):
    customers = planted_truth("transactions")["customers"].loc[shop_summary.index]
    alive = shop_bg.probability_alive(shop_summary)
    assert roc_auc_score(customers["alive"], alive) > 0.85
    assert alive.mean() == pytest.approx(customers["alive"].mean(), abs=0.05)
    expected = shop_bg.expected_purchases(shop_summary, 52)
    assert np.corrcoef(expected, customers["expected_purchases_52w"])[0, 1] > 0.75
    assert expected.mean() == pytest.approx(customers["expected_purchases_52w"].mean(), rel=0.15)


def test_expected_spend_is_closer_to_the_truth_than_the_raw_mean(shop_gg, shop_summary):
    customers = planted_truth("transactions")["customers"].loc[shop_summary.index]
    repeat = shop_summary["frequency"] > 0
    shrunk = shop_gg.expected_spend(shop_summary)[repeat]
    raw = shop_summary.loc[repeat, "monetary value"]
    true = customers.loc[repeat, "mean_spend"]
    assert ((shrunk - true) ** 2).mean() < ((raw - true) ** 2).mean()


def test_generator_is_reproducible_and_sized():
    one = generate("transactions", n_customers=40, random_state=1).tables["04-01-Transactions.csv"]
    two = generate("transactions", n_customers=40, random_state=1).tables["04-01-Transactions.csv"]
    pd.testing.assert_frame_equal(one, two)
    assert one["customer_id"].nunique() == 40
    assert (one["amount"] > 0).all()
    assert one["date"].max() <= pd.Timestamp("2024-12-31")


# --------------------------------------------------------------------------------------------
# RFM
# --------------------------------------------------------------------------------------------


def test_rfm_table_hand_case():
    tx = small_transactions()
    before = tx.copy()
    table = rfm_table(tx, "client", "jour", "euros", as_of="2024-01-31")
    pd.testing.assert_frame_equal(tx, before)  # the caller's data is untouched
    # a: 3 purchase days (two rows on 15 Jan are one purchase), last 29 Jan, 70 euros.
    assert table.loc["a", ["recency in days", "frequency", "monetary"]].tolist() == [2, 3, 70.0]
    assert table.loc["b", ["recency in days", "frequency", "monetary"]].tolist() == [23, 1, 5.0]
    assert table.loc["c", ["recency in days", "frequency", "monetary"]].tolist() == [22, 2, 20.0]
    assert table.loc["a", "r score"] == 5 and table.loc["a", "f score"] == 5
    assert table.loc["a", "segment"] == "champions"
    assert table.loc["b", "rfm code"] == "111"
    assert table.loc["b", "segment"] == "hibernating"
    assert table.loc["c", "rfm code"] == "333"
    assert table.loc["c", "segment"] == "need attention"


def test_rfm_table_on_the_shop_and_segment_summary():
    tx = load_dataset("transactions")
    table = rfm_table(tx, "customer_id", "date", "amount")
    assert len(table) == 2500
    assert table[["r score", "f score", "m score"]].isin([1, 2, 3, 4, 5]).all().all()
    assert table["segment"].notna().all()
    assert table["monetary"].sum() == pytest.approx(tx["amount"].sum())
    summary = rfm_segment_summary(table)
    assert summary["customers"].sum() == 2500
    assert summary["share of revenue"].sum() == pytest.approx(1.0)
    assert summary["revenue"].is_monotonic_decreasing


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_rfm_scores_are_ordered_and_ties_share_a_score(data):
    n = data.draw(st.integers(min_value=2, max_value=40))
    customers = data.draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    days = data.draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    amounts = data.draw(st.lists(st.floats(0, 500, allow_nan=False), min_size=n, max_size=n))
    tx = pd.DataFrame(
        {
            "c": [f"c{i}" for i in customers],
            "d": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
            "m": amounts,
        }
    )
    table = rfm_table(tx, "c", "d", "m")
    shuffled = rfm_table(tx.sample(frac=1.0, random_state=0), "c", "d", "m")
    pd.testing.assert_frame_equal(table, shuffled)  # row order does not matter
    for value, score in (("frequency", "f score"), ("monetary", "m score")):
        ordered = table.sort_values(value)
        assert ordered[score].is_monotonic_increasing
        assert (table.groupby(value)[score].nunique() == 1).all()
    assert table.sort_values("recency in days")["r score"].is_monotonic_decreasing


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def test_summary_hand_case_with_calibration_split():
    summary = summary_from_transactions(
        small_transactions(),
        "client",
        "jour",
        "euros",
        calibration_end="2024-01-20",
        as_of="2024-02-03",
        time_unit="days",
    )
    assert summary.attrs["time_unit"] == "days"
    a = summary.loc["a"]
    assert (a["frequency"], a["recency"], a["age"], a["monetary value"]) == (1, 14.0, 19.0, 20.0)
    assert (a["holdout frequency"], a["holdout monetary value"], a["holdout duration"]) == (
        1,
        40.0,
        14.0,
    )
    b = summary.loc["b"]
    assert (b["frequency"], b["recency"], b["monetary value"], b["holdout frequency"]) == (
        0,
        0.0,
        0.0,
        0,
    )


def test_summary_leaves_out_customers_who_start_in_the_holdout():
    tx = pd.DataFrame({"c": ["a", "a", "z"], "d": ["2024-01-01", "2024-02-01", "2024-03-01"]})
    summary = summary_from_transactions(tx, "c", "d", calibration_end="2024-01-31")
    assert summary.index.tolist() == ["a"]
    assert summary.loc["a", "monetary value"] == 0.0


def test_summary_reads_text_dates_day_first():
    tx = pd.DataFrame({"c": ["a", "a"], "d": ["02/01/2024", "16/01/2024"], "m": [1.0, 2.0]})
    summary = summary_from_transactions(tx, "c", "d", "m")
    assert summary.loc["a", "recency"] == 2.0


# --------------------------------------------------------------------------------------------
# Models: laws and hand checks
# --------------------------------------------------------------------------------------------


def test_conditional_expectation_equals_the_papers_formula(cdnow_bg):
    # Equation (10) of Fader, Hardie and Lee (2005), without Euler's transformation.
    r, alpha, a, b = (cdnow_bg.params_[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, big_t, t = np.array([0, 1, 3, 7]), np.array([0, 5.0, 20.0, 30.0]), 35.0, 52.0
    z = t / (alpha + big_t + t)
    hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    first = (
        (a + b + x - 1) / (a - 1) * (1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyper)
    )
    odds = np.where(x > 0, a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0)
    summary = pd.DataFrame({"frequency": x, "recency": t_x, "age": big_t})
    np.testing.assert_allclose(
        cdnow_bg.expected_purchases(summary, t), first / (1 + odds), rtol=1e-8
    )
    new = pd.DataFrame({"frequency": [0], "recency": [0.0], "age": [0.0]})
    assert cdnow_bg.expected_purchases_new_customer(t) == pytest.approx(
        cdnow_bg.expected_purchases(new, t).iloc[0]
    )


@settings(max_examples=40, deadline=None)
@given(
    x=st.integers(1, 60),
    recency=st.floats(0.1, 50.0),
    gap=st.floats(0.0, 50.0),
    more=st.floats(0.1, 20.0),
)
def test_going_cold_law(cdnow_bg, x, recency, gap, more):
    # The longer since the last purchase, the lower the probability of being alive and the
    # fewer expected purchases; expected purchases grow with the horizon.
    summary = pd.DataFrame(
        {
            "frequency": [x, x],
            "recency": [recency, recency],
            "age": [recency + gap, recency + gap + more],
        }
    )
    alive = cdnow_bg.probability_alive(summary)
    assert 0 <= alive.iloc[1] <= alive.iloc[0] <= 1
    expected = cdnow_bg.expected_purchases(summary, 10)
    assert np.isfinite(expected).all()
    assert expected.iloc[1] <= expected.iloc[0] + 1e-12
    assert (cdnow_bg.expected_purchases(summary, 20) >= expected).all()


def test_expected_spend_lies_between_population_and_own_mean(shop_gg):
    summary = pd.DataFrame(
        {"frequency": [0, 1, 10, 100], "monetary value": [0.0, 500.0, 500.0, 500.0]}
    )
    spend = shop_gg.expected_spend(summary)
    assert spend.iloc[0] == pytest.approx(shop_gg.mean_spend_)
    assert shop_gg.mean_spend_ < spend.iloc[1] < spend.iloc[2] < spend.iloc[3] < 500.0


def test_customer_lifetime_value(shop_bg, shop_gg, shop_summary):
    part = shop_summary.iloc[:50]
    plain = customer_lifetime_value(shop_bg, shop_gg, part, months=12, monthly_discount_rate=0.0)
    horizon = 365.25 / 7
    np.testing.assert_allclose(
        plain["expected purchases"], shop_bg.expected_purchases(part, horizon)
    )
    np.testing.assert_allclose(plain["clv"], plain["expected purchases"] * plain["expected spend"])
    discounted = customer_lifetime_value(
        shop_bg, shop_gg, part, monthly_discount_rate=0.02, margin=0.3
    )
    assert (discounted["clv"] <= 0.3 * plain["clv"] + 1e-9).all()
    assert (discounted["clv"] >= 0).all()


def test_holdout_table_and_plot(cdnow_bg, cdnow_summary):
    predicted = cdnow_bg.expected_purchases(cdnow_summary, 39)
    same_rate = cdnow_summary["frequency"] / cdnow_summary["age"] * 39
    table = holdout_table(cdnow_summary, {"BG/NBD": predicted, "same rate": same_rate})
    assert table.index.tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    assert table.loc["0", "actual"] == pytest.approx(0.2367, abs=0.0001)  # 1411 customers
    # The model tracks the actual means (the paper's Figure 4), far better than the naive rule.
    gap = (table["BG/NBD"] - table["actual"]).abs()
    assert gap.loc["0"] < 0.02
    assert gap.max() < 0.4
    assert gap.mean() < (table["same rate"] - table["actual"]).abs().mean() / 5
    ax = plot_holdout(table)
    assert len(ax.get_lines()) == 3
    with pytest.raises(DataError, match="one prediction per row"):
        holdout_table(cdnow_summary, {"bad": [1.0, 2.0]})


# --------------------------------------------------------------------------------------------
# Bad inputs
# --------------------------------------------------------------------------------------------


def test_bad_transactions_raise_clear_errors():
    tx = small_transactions()
    with pytest.raises(DataError, match="'customer' is not a column"):
        rfm_table(tx, "customer", "jour", "euros")
    missing_id = tx.assign(client=tx["client"].where(tx.index != 2))
    with pytest.warns(DataWarning, match="1 of 7 rows left out: no customer in 'client'"):
        summary_from_transactions(missing_id, "client", "jour", "euros")
    refund = tx.assign(euros=tx["euros"].where(tx.index != 3, -40.0))
    with pytest.raises(DataError, match="negative amount.*returns or refunds"):
        rfm_table(refund, "client", "jour", "euros")
    with pytest.raises(DataError, match="after the end of the observation"):
        rfm_table(tx, "client", "jour", "euros", as_of="2024-01-20")
    with pytest.raises(DataError, match="'soon', which is not a date"):
        rfm_table(tx.assign(jour="soon"), "client", "jour", "euros")
    with pytest.raises(DataError, match="must hold numbers"):
        rfm_table(tx.assign(euros="cher"), "client", "jour", "euros")
    with pytest.raises(DataError, match="as_of is .tomorrow-ish., which is not a date"):
        rfm_table(tx, "client", "jour", "euros", as_of="tomorrow-ish")
    with pytest.raises(DataError, match="time_unit"):
        summary_from_transactions(tx, "client", "jour", time_unit="fortnights")
    with pytest.raises(DataError, match="holdout period remains"):
        summary_from_transactions(tx, "client", "jour", calibration_end="2024-02-01")
    with pytest.raises(DataError, match="must be a pandas DataFrame"):
        rfm_table([1, 2], "client", "jour", "euros")


def test_bad_summaries_raise_clear_errors(shop_bg):
    good = pd.DataFrame({"frequency": [1, 0], "recency": [3.0, 0.0], "age": [5.0, 5.0]})
    with pytest.raises(DataError, match="not fitted"):
        BetaGeo().probability_alive(good)
    with pytest.raises(DataError, match="larger than 'age'"):
        shop_bg.probability_alive(good.assign(recency=[9.0, 0.0]))
    with pytest.raises(DataError, match="whole numbers"):
        shop_bg.probability_alive(good.assign(frequency=[1.5, 0]))
    with pytest.raises(DataError, match="must have 'recency' = 0"):
        shop_bg.probability_alive(good.assign(recency=[3.0, 1.0]))
    with pytest.raises(DataError, match="missing values"):
        shop_bg.probability_alive(good.assign(age=[5.0, None]))
    with pytest.raises(DataError, match="at least 10 customers"):
        BetaGeo().fit(good)
    with pytest.raises(DataError, match="positive number"):
        shop_bg.expected_purchases(good, -1)
    zero_spend = pd.DataFrame(
        {"frequency": [1, 2, 1, 3, 1], "monetary value": [0.0, 5, 6, 7, 8]}
    )
    with pytest.warns(DataWarning, match="1 of 5 rows left out"), pytest.raises(
        DataError, match="at least 5 customers"
    ):
        GammaGamma().fit(zero_spend)
    one_timers = pd.DataFrame({"frequency": [0, 0, 1], "monetary value": [0.0, 0.0, 10.0]})
    with pytest.raises(DataError, match="at least 5 customers with repeat purchases"):
        GammaGamma().fit(one_timers)


def test_bad_clv_arguments(shop_bg, shop_gg, shop_summary):
    part = shop_summary.iloc[:5]
    with pytest.raises(DataError, match="months"):
        customer_lifetime_value(shop_bg, shop_gg, part, months=0)
    with pytest.raises(DataError, match="monthly_discount_rate"):
        customer_lifetime_value(shop_bg, shop_gg, part, monthly_discount_rate=5)
    with pytest.raises(DataError, match="margin"):
        customer_lifetime_value(shop_bg, shop_gg, part, margin=30)


# --------------------------------------------------------------------------------------------
# Estimators: scikit-learn conventions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("estimator", [BetaGeo(recency="r"), GammaGamma(monetary_value="spend")])
def test_estimators_follow_scikit_learn_conventions(estimator):
    from sklearn.base import clone
    from sklearn.utils import estimator_checks

    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params()
    assert copy is not estimator
    name = type(estimator).__name__
    for check in (
        "check_get_params_invariance",
        "check_set_params",
        "check_no_attributes_set_in_init",
        "check_parameters_default_constructible",
    ):
        getattr(estimator_checks, check)(name, estimator)
    # A check that scikit-learn 1.4 (the lowest allowed) does not have yet runs where it exists.
    if hasattr(estimator_checks, "check_estimator_repr"):
        estimator_checks.check_estimator_repr(name, estimator)
    copy.set_params(frequency="f")
    assert copy.frequency == "f" and estimator.frequency == "frequency"


def test_fit_keeps_the_constructor_arguments_and_clone_refits_the_same(cdnow_summary):
    model = BetaGeo()
    before = model.get_params()
    model.fit(cdnow_summary)
    assert model.get_params() == before
    from sklearn.base import clone

    again = clone(model)
    assert not hasattr(again, "params_")
    assert again.fit(cdnow_summary).params_ == pytest.approx(model.params_)


def test_summary_is_a_labelled_table_with_intervals(cdnow_bg):
    table = cdnow_bg.summary()
    assert table.index.tolist() == ["r", "alpha", "a", "b"]
    assert table.index.name == "parameter"
    assert table.columns.tolist() == ["estimate", "std error", "low", "high"]
    assert (table["low"] < table["estimate"]).all() and (table["estimate"] < table["high"]).all()
    assert (table["low"] > 0).all()
    # Log-scale interval: low * high = estimate ** 2; a wider level gives a wider interval.
    np.testing.assert_allclose(table["low"] * table["high"], table["estimate"] ** 2)
    wide = cdnow_bg.summary(level=0.99)
    assert (wide["low"] < table["low"]).all()
    with pytest.raises(DataError, match="level must be a probability"):
        cdnow_bg.summary(level=95)


# ------------------------------------------------------------------ describe_transactions


def test_describe_transactions_derives_the_calibration_end_from_the_data():
    from mlmarketing.clv import describe_transactions

    tx = pd.DataFrame({"client": ["a", "a", "a", "b"],
                       "day": ["2024-01-01", "2024-01-01", "31/12/2024", "01/07/2024"],
                       "euros": [4.0, 6.0, 20.0, 30.0]})
    period = describe_transactions(tx, "client", "day", "euros")
    row = period.iloc[0]
    assert row["purchases"] == 3  # two rows of one customer on one day are one purchase
    assert row["customers"] == 2
    assert row["first day"] == pd.Timestamp("2024-01-01")
    assert row["last day"] == pd.Timestamp("2024-12-31")
    assert row["calibration end"] == pd.Timestamp("2024-12-31") - pd.Timedelta(days=round(0.25 * 365))
    assert row["revenue"] == 60.0 and row["mean basket"] == 20.0
    later = describe_transactions(tx, "client", "day", "euros", as_of="31/01/2025", holdout_share=0.5)
    assert later["last day"].iloc[0] == pd.Timestamp("2025-01-31")
    assert later["calibration end"].iloc[0] == pd.Timestamp("2025-01-31") - pd.Timedelta(days=198)


def test_describe_transactions_reads_a_given_calibration_end_day_first():
    from mlmarketing.clv import describe_transactions

    tx = pd.DataFrame({"client": ["a", "b"], "day": ["2024-01-01", "2024-12-31"], "euros": [1.0, 2.0]})
    period = describe_transactions(tx, "client", "day", "euros", calibration_end="01/06/2024")
    assert period["calibration end"].iloc[0] == pd.Timestamp("2024-06-01")
    with pytest.raises(DataError, match="calibration_end"):
        describe_transactions(tx, "client", "day", "euros", calibration_end="2025-01-15")
    with pytest.raises(DataError, match="holdout_share"):
        describe_transactions(tx, "client", "day", "euros", holdout_share=1.5)


def test_describe_transactions_refuses_a_single_day_and_counts_blank_rows():
    from mlmarketing import DataWarning
    from mlmarketing.clv import describe_transactions

    one_day = pd.DataFrame({"client": ["a", "b"], "day": ["2024-01-01"] * 2, "euros": [1.0, 2.0]})
    with pytest.raises(DataError, match="history long enough"):
        describe_transactions(one_day, "client", "day", "euros")
    blank = pd.DataFrame({"client": ["a", "b", "c"], "day": ["2024-01-01", "2024-03-01", "2024-06-01"],
                          "euros": [1.0, None, 3.0]})
    with pytest.warns(DataWarning, match="1 of 3 rows"):
        period = describe_transactions(blank, "client", "day", "euros")
    assert period["purchases"].iloc[0] == 2
