"""Tests of mlmarketing.survival and of the cloud-services dataset it is taught with."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, load_dataset
from mlmarketing import survival as sv
from mlmarketing.simulate import generate, planted_truth

AS_OF = "2024-12-31"
COVARIATES = [
    "plan", "billing_cycle", "seats", "active_user_share", "logins_per_user_week",
    "features_adopted", "support_tickets_90d", "nps", "industry",
]
REFERENCE = {"plan": "Starter", "billing_cycle": "monthly"}


@pytest.fixture(scope="module")
def accounts() -> pd.DataFrame:
    return sv.tenure_table(load_dataset("cloud_services"), "signup_date", "end_date", AS_OF)


@pytest.fixture(scope="module")
def model(accounts) -> sv.CoxModel:
    return sv.CoxModel(COVARIATES, reference=REFERENCE, dropna=True).fit(
        accounts, "tenure in months", "churned"
    )


TOY = pd.DataFrame({"months": [2, 3, 3, 5, 8], "left": [1, 1, 0, 1, 0]})


# ----------------------------------------------------------------------------- tenure


def test_tenure_table_by_hand_and_does_not_modify_input():
    subs = pd.DataFrame({"s": ["2024-01-01", "2024-03-01", "2024-06-15"],
                         "e": ["2024-02-01", None, "2024-06-22"]})
    before = subs.copy()
    out = sv.tenure_table(subs, "s", "e", as_of="2024-12-31", time_unit="days")
    assert out["tenure in days"].tolist() == [31.0, 305.0, 7.0]
    assert out["churned"].tolist() == [1, 0, 1]
    weeks = sv.tenure_table(subs, "s", "e", as_of="2024-12-31", time_unit="weeks")
    assert weeks["tenure in weeks"].iloc[2] == 1.0
    months = sv.tenure_table(subs, "s", "e", as_of="2024-12-31")
    assert months["tenure in months"].iloc[0] == pytest.approx(31 / 30.4375, abs=1e-6)
    pd.testing.assert_frame_equal(subs, before)


@pytest.mark.parametrize(
    ("start", "end", "as_of", "match"),
    [
        (["2024-01-01", None], [None, None], AS_OF, "missing start"),
        (["2024-03-01"], ["2024-02-01"], AS_OF, "before the start date"),
                (["2024-01-01"], ["2025-02-01"], AS_OF, "after the extraction date"),
        (["2025-01-05"], [None], AS_OF, "start dates after"),
        (["not a date"], [None], AS_OF, "not a date"),
        (["2024-01-01"], [None], "someday", "as_of is .someday., which is not a date"),
    ],
)
def test_tenure_table_bad_dates(start, end, as_of, match):
    with pytest.raises(DataError, match=match):
        sv.tenure_table(pd.DataFrame({"s": start, "e": end}), "s", "e", as_of=as_of)


def test_tenure_table_bad_arguments():
    subs = pd.DataFrame({"s": ["2024-01-01"], "e": [None]})
    with pytest.raises(DataError, match="'start'"):
        sv.tenure_table(subs, "start", "e", AS_OF)
    with pytest.raises(DataError, match="time_unit"):
        sv.tenure_table(subs, "s", "e", AS_OF, time_unit="years")
    with pytest.raises(DataError, match="DataFrame"):
        sv.tenure_table([1, 2], "s", "e", AS_OF)


# ----------------------------------------------------------------------------- cohorts


def test_cohort_retention_by_hand():
    subs = pd.DataFrame({
        "s": ["2024-01-05", "2024-01-20", "2024-01-31", "2024-02-10", "2024-02-11"],
        "e": ["2024-02-10", None, "2024-03-15", None, "2024-02-12"],
    })
    table = sv.cohort_retention(subs, "s", "e", as_of="2024-04-30")
    # January: Jan-05 leaves Feb-10 (retained at +1 month = Feb-05, lost at +2 = Mar-05);
    # Jan-31 leaves Mar-15 (retained at Feb-29, lost at Mar-31); Jan-20 stays.
    # Month 3 needs Jan-31 + 3 months = Apr-30 <= as_of: observed for the whole cohort.
    assert table.loc["2024-01"].tolist() == pytest.approx([3, 1.0, 1.0, 1 / 3, 1 / 3])
    # February: Feb-11 leaves the next day. Month 3 (May) is not observed yet.
    february = table.loc["2024-02"]
    assert february.iloc[:4].tolist() == [2, 1.0, 0.5, 0.5]
    assert np.isnan(february[3])
    quarterly = sv.cohort_retention(subs, "s", "e", as_of="2024-04-30", freq="QS")
    assert quarterly.columns.tolist() == ["accounts", 0]
    assert quarterly.loc["2024Q1", "accounts"] == 5
    assert sv.cohort_retention(subs, "s", "e", "2024-04-30", max_periods=1).columns.tolist() == [
        "accounts", 0, 1,
    ]


def test_cohort_retention_bad_input():
    subs = pd.DataFrame({"s": ["2024-01-05"], "e": [None]})
    with pytest.raises(DataError, match="freq"):
        sv.cohort_retention(subs, "s", "e", AS_OF, freq="W-MON")
    with pytest.raises(DataError, match="max_periods"):
        sv.cohort_retention(subs, "s", "e", AS_OF, max_periods=-1)
    with pytest.raises(DataError, match="after the extraction"):
        sv.cohort_retention(pd.DataFrame({"s": ["2024-01-05"], "e": ["2025-03-01"]}), "s", "e",
                            AS_OF)


def test_cohort_retention_never_increases_on_shipped_data():
    table = sv.cohort_retention(load_dataset("cloud_services"), "signup_date", "end_date", AS_OF)
    shares = table.drop(columns="accounts")
    assert (shares[0] == 1).all()
    steps = shares.diff(axis=1).iloc[:, 1:]
    assert (steps.fillna(0) <= 1e-12).all().all()
    assert table["accounts"].sum() == 3000


# ----------------------------------------------------------------------------- Kaplan-Meier


def test_kaplan_meier_by_hand():
    km = sv.kaplan_meier(TOY, "months", "left")
    # S(2) = 4/5; S(3) = 4/5 * 3/4 (one of 4 at risk leaves, one is censored at 3);
    # S(5) = 0.6 * 1/2; the censored account at 8 adds no step.
    assert km["time"].tolist() == [0, 2, 3, 5]
    assert km["at risk"].tolist() == [5, 5, 4, 2]
    assert km["survival"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.3])
    # Greenwood variance at t = 2: S^2 * 1/(5*4) -> se = 0.8 * sqrt(0.05); the log(-log)
    # interval contains the estimate and stays inside [0, 1].
    assert (km["low"] <= km["survival"]).all() and (km["survival"] <= km["high"]).all()
    assert km["low"].min() >= 0 and km["high"].max() <= 1
    z = 1.959964
    s, se = 0.8, 0.8 * np.sqrt(1 / 20)
    low = s ** np.exp(z * se / (s * abs(np.log(s))))
    assert km.loc[1, "low"] == pytest.approx(low, rel=1e-4)


def test_kaplan_meier_by_group_and_input_untouched():
    toy = TOY.assign(plan=["a", "a", "b", "b", "b"])
    before = toy.copy()
    km = sv.kaplan_meier(toy, "months", "left", by="plan")
    assert set(km["group"]) == {"a", "b"}
    a = km[km["group"] == "a"]
    assert a["survival"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    pd.testing.assert_frame_equal(toy, before)


@pytest.mark.parametrize(
    ("frame", "match"),
    [
                (TOY.assign(months=[2, -1, 3, 5, 8]), "negative durations.*row 1"),
        (TOY.assign(months=[2, None, 3, 5, 8]), "missing duration"),
        (TOY.assign(left=[1, 2, 0, 1, 0]), "must be yes/no.*'2'"),
        (TOY.assign(left=[1, None, 0, 1, 0]), "missing value"),
        (TOY.assign(months=["2", "x", "3", "5", "8"]), "must hold numbers"),
    ],
)
def test_kaplan_meier_bad_input(frame, match):
    with pytest.raises(DataError, match=match):
        sv.kaplan_meier(frame, "months", "left")


def test_kaplan_meier_accepts_yes_no_and_names_missing_columns():
    yes_no = TOY.assign(left=["Yes", "Yes", "No", "Yes", "No"])
    assert sv.kaplan_meier(yes_no, "months", "left")["survival"].iloc[-1] == pytest.approx(0.3)
    with pytest.raises(DataError, match="'month'.*Did you mean 'months'"):
        sv.kaplan_meier(TOY, "month", "left")
    with pytest.raises(DataError, match="missing value"):
        sv.kaplan_meier(TOY.assign(g=["a", None, "a", "b", "b"]), "months", "left", by="g")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 30), st.booleans()), min_size=2, max_size=40
    )
)
def test_kaplan_meier_laws(rows):
    frame = pd.DataFrame(rows, columns=["t", "e"]).astype({"e": int})
    km = sv.kaplan_meier(frame, "t", "e")
    surv = km["survival"].to_numpy()
    assert surv[0] == 1 and (np.diff(surv) <= 1e-12).all() and (surv >= 0).all()
    # Without censoring, Kaplan-Meier is the plain share still there after each time.
    if frame["e"].all():
        for time, s in zip(km["time"], surv, strict=True):
            assert s == pytest.approx((frame["t"] > time).mean())


def test_median_and_logrank(accounts):
    med = sv.median_lifetime(TOY, "months", "left")
    assert med.loc[0, "median"] == 5.0 and med.loc[0, "accounts"] == 5
    by_plan = sv.median_lifetime(accounts, "tenure in months", "churned", by="plan")
    assert by_plan["group"].tolist() == ["Enterprise", "Pro", "Starter"]
    medians = by_plan.set_index("group")["median"]
    assert medians["Starter"] < medians["Pro"]
    assert np.isnan(medians["Enterprise"]) or medians["Enterprise"] > medians["Pro"]
    test = sv.logrank_test(accounts, "tenure in months", "churned", "billing_cycle")
    assert test["degrees of freedom"].iloc[0] == 1 and test["p-value"].iloc[0] < 1e-6
    # The industry has no planted effect: no evidence against equal curves.
    assert sv.logrank_test(accounts, "tenure in months", "churned", "industry")["p-value"].iloc[0] > 0.001
    with pytest.raises(DataError, match="single value"):
        sv.logrank_test(TOY.assign(g="a"), "months", "left", "g")


# ----------------------------------------------------------------------------- Cox model


def test_cox_recovers_planted_hazard_ratios(model):
    truth = planted_truth("cloud_services")["log_hazard_ratios"]
    table = model.hazard_ratios_.set_index("term")
    assert set(table.index) == set(truth)
    inside = [
        np.log(table.loc[term, "low"]) <= log_hr <= np.log(table.loc[term, "high"])
        for term, log_hr in truth.items()
    ]
    # 95 % intervals on 14 terms: one miss is expected by chance (with Efron ties the NPS
    # interval ends just short of its true value, 0.887).
    assert sum(inside) >= len(truth) - 1
    assert table.loc["billing_cycle = annual", "hazard ratio"] == pytest.approx(0.5, abs=0.1)
    assert model.n_dropped_ == int(load_dataset("cloud_services")["nps"].isna().sum())


def test_cox_model_function_matches_class_and_input_untouched(accounts):
    before = accounts.copy()
    table = sv.cox_model(accounts, "tenure in months", "churned", ["billing_cycle", "plan"],
                         reference=REFERENCE)
    assert table.columns.tolist() == ["term", "coefficient", "hazard ratio", "low", "high",
                                      "p-value"]
    assert table["term"].tolist() == ["billing_cycle = annual", "plan = Enterprise", "plan = Pro"]
    assert (table["low"] < table["hazard ratio"]).all()
    assert (table["hazard ratio"] < table["high"]).all()
    pd.testing.assert_frame_equal(accounts, before)


def test_cox_model_single_binary_covariate_matches_logrank_direction():
    rng = np.random.default_rng(0)
    n = 400
    group = rng.random(n) < 0.5
    time = rng.exponential(np.where(group, 20.0, 10.0))  # group halves the hazard
    frame = pd.DataFrame({"t": time, "e": 1, "g": group})
    hr = sv.cox_model(frame, "t", "e", ["g"])
    assert hr.loc[0, "low"] < 0.5 < hr.loc[0, "high"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(covariates=["nps"]), "'nps' has .* missing"),
        (dict(covariates=[]), "covariates is empty"),
        (dict(covariates=["plann"]), "Did you mean 'plan'"),
        (dict(covariates=["churned"]), "duration or event"),
        (dict(covariates=["plan"], reference={"plan": "Gold"}), "'Gold' is not a value"),
        (dict(covariates=["seats"], reference={"seats": 1}), "holds numbers"),
        (dict(covariates=["seats"], ties="exact"), "ties"),
    ],
)
def test_cox_model_bad_input(accounts, kwargs, match):
    covariates = kwargs.pop("covariates")
    with pytest.raises(DataError, match=match):
        sv.CoxModel(covariates, **kwargs).fit(accounts, "tenure in months", "churned")


def test_cox_model_no_event_and_single_level():
    frame = pd.DataFrame({"t": [1.0, 2, 3, 4], "e": 0, "x": [1, 2, 3, 4], "g": "a"})
    with pytest.raises(DataError, match="no event"):
        sv.cox_model(frame, "t", "e", ["x"])
    with pytest.raises(DataError, match="single value"):
        sv.cox_model(frame.assign(e=1), "t", "e", ["g"])
    with pytest.raises(DataError, match="not fitted"):
        sv.CoxModel(["x"]).relative_risk(frame)


def test_proportional_hazards_check(model):
    check = sv.proportional_hazards_check(model)
    assert check["term"].tolist() == model.terms_
    # The planted model has proportional hazards: no term should be flagged strongly.
    assert check["p-value"].iloc[0].min() > 0.01
    # A covariate whose effect reverses after 6 months is flagged.
    rng = np.random.default_rng(1)
    n = 1500
    x = rng.random(n) < 0.5
    early = rng.exponential(np.where(x, 3.0, 12.0))
    late = 6 + rng.exponential(np.where(x, 30.0, 6.0))
    time = np.where(early < 6, early, late)
    frame = pd.DataFrame({"t": time, "e": 1, "x": x.astype(int)})
    flagged = sv.proportional_hazards_check(sv.CoxModel(["x"]).fit(frame, "t", "e"))
    assert not flagged.loc[0, "proportional"]
    with pytest.raises(DataError, match="fitted CoxModel"):
        sv.proportional_hazards_check("model")


# ----------------------------------------------------------------------------- lifetime


def test_expected_lifetime_matches_planted_truth(model, accounts):
    truth = planted_truth("cloud_services")
    active = accounts[accounts["churned"] == 0]
    out = sv.expected_lifetime(model, active, "tenure in months", value="monthly_price", within=3)
    assert out.index.equals(active.index)
    assert out["churn probability"].isna().sum() == active["nps"].isna().sum()
    true_p = pd.Series(truth["p_churn_next_3_months"], index=accounts.index)[active.index]
    known = out["churn probability"].notna()
    assert np.corrcoef(out.loc[known, "churn probability"], true_p[known])[0, 1] > 0.9
    assert out.loc[known, "churn probability"].mean() == pytest.approx(true_p[known].mean(), abs=0.02)
    assert (out.loc[known, "expected remaining"] <= 36 + 1e-9).all()
    assert np.allclose(out["remaining value"], out["expected remaining"] * active["monthly_price"],
                       equal_nan=True)


def test_expected_lifetime_by_hand_with_exponential_baseline():
    # Constant hazard 0.1 per month: remaining lifetime within 12 months = (1 - e^-1.2) / 0.1
    # and P(leave within 3 months) = 1 - e^-0.3, whatever the tenure.
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.random(n) < 0.5
    time = rng.exponential(1 / (0.1 * np.where(x, 2.0, 1.0)))
    frame = pd.DataFrame({"t": np.minimum(time, 60), "e": (time < 60).astype(int), "x": x})
    model = sv.CoxModel(["x"]).fit(frame, "t", "e")
    probe = pd.DataFrame({"x": [False, False], "tenure": [1.0, 10.0]})
    out = sv.expected_lifetime(model, probe, "tenure", within=3, horizon=12)
    assert out["churn probability"].tolist() == pytest.approx([1 - np.exp(-0.3)] * 2, abs=0.03)
    assert out["expected remaining"].tolist() == pytest.approx([(1 - np.exp(-1.2)) / 0.1] * 2,
                                                               rel=0.05)


def test_expected_lifetime_bad_input(model, accounts):
    with pytest.raises(DataError, match="fitted CoxModel"):
        sv.expected_lifetime(None, accounts, "tenure in months")
    with pytest.raises(DataError, match="positive"):
        sv.expected_lifetime(model, accounts, "tenure in months", within=0)
    with pytest.raises(DataError, match="negative"):
        sv.expected_lifetime(model, accounts.assign(**{"tenure in months": -1.0}), "tenure in months")
    with pytest.raises(DataError, match="not fitted with"):
        sv.expected_lifetime(model, accounts.assign(plan="Gold"), "tenure in months")


# ----------------------------------------------------------------------------- naive view


def test_naive_churned_yet_share_understates_risk_of_new_accounts(accounts):
    """The trap the notebook shows: new accounts have 'churned' least but leave fastest."""
    truth = planted_truth("cloud_services")
    months_since_signup = (pd.Timestamp(AS_OF) - accounts["signup_date"]).dt.days / 30.4375
    new = months_since_signup < 6
    old = months_since_signup >= 24
    assert accounts.loc[new, "churned"].mean() < accounts.loc[old, "churned"].mean()
    p = pd.Series(truth["p_churn_next_3_months"], index=accounts.index)
    assert p[new].mean() > p[old].mean()


# ----------------------------------------------------------------------------- generator


def test_generator_small_and_reproducible():
    a = generate("cloud_services", n_accounts=300, random_state=5)
    b = generate("cloud_services", n_accounts=300, random_state=5)
    table = a.tables["03-02-Cloud-Services.csv"]
    pd.testing.assert_frame_equal(table, b.tables["03-02-Cloud-Services.csv"])
    assert len(table) == 300 and table["account_id"].is_unique
    assert (table["end_date"].dropna() <= pd.Timestamp(AS_OF)).all()
    assert (table["churned"] == table["end_date"].notna()).all()
    assert np.allclose(a.truth["risk"], b.truth["risk"])


def test_shipped_data_is_realistic():
    df = load_dataset("cloud_services")
    assert 0.25 <= df["churned"].mean() <= 0.55
    assert 0.03 <= df["nps"].isna().mean() <= 0.15
    assert set(df["plan"].cat.categories) == {"Starter", "Pro", "Enterprise"}


# ----------------------------------------------------------------------------- plots


def test_plots_return_axes(accounts, model):
    fig, axes = plt.subplots(1, 3)
    km = sv.kaplan_meier(accounts, "tenure in months", "churned", by="billing_cycle")
    assert sv.plot_survival(km, ax=axes[0], title="KM") is axes[0]
    assert len(axes[0].get_legend().get_texts()) == 2
    cohorts = sv.cohort_retention(accounts, "signup_date", "end_date", AS_OF, freq="QS")
    assert sv.plot_cohort_retention(cohorts, ax=axes[1]) is axes[1]
    truth = planted_truth("cloud_services")["hazard_ratios"]
    assert sv.plot_hazard_ratios(model.hazard_ratios_, truth=truth, ax=axes[2]) is axes[2]
    with pytest.raises(DataError, match="'survival'"):
        sv.plot_survival(km.drop(columns="survival"))
    plt.close("all")


# ----------------------------------------------------------------------------- agreement with lifelines


def _tied_frame(shift: float = 1.0, rounded: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 300
    x = rng.normal(size=n)
    t = rng.exponential(5 / np.exp(0.5 * x))
    t = (np.round(t) if rounded else t) + shift
    e = (rng.random(n) < 0.7).astype(int)
    return pd.DataFrame({"t": t, "e": e, "x": x, "z": rng.integers(0, 3, n)})


def test_cox_efron_by_default_matches_lifelines_on_tied_tenures():
    model = sv.CoxModel(["x", "z"]).fit(_tied_frame(), "t", "e")
    assert model.ties == "efron"
    # lifelines 0.30 CoxPHFitter().fit(frame, "t", "e") on the same frame (Efron ties).
    assert model.hazard_ratios_["coefficient"].tolist() == pytest.approx(
        [0.41871101, 0.07162268], abs=1e-7)
    assert np.asarray(model.result_.bse).tolist() == pytest.approx([0.07841734, 0.08873591], abs=1e-8)
    assert model.concordance_index() == pytest.approx(0.6189430975423194, abs=1e-12)
    breslow = sv.CoxModel(["x", "z"], ties="breslow").fit(_tied_frame(), "t", "e")
    assert breslow.hazard_ratios_["coefficient"].iloc[0] != pytest.approx(0.41871101, abs=1e-4)


def _subscription_export() -> pd.DataFrame:
    """2,000 accounts, whole-month tenures (36 distinct values: heavy ties), a plan, seat counts
    far from 0 and a usage share."""
    rng = np.random.default_rng(7)
    n = 2000
    plan = rng.choice(["Starter", "Pro", "Enterprise"], n, p=[0.5, 0.35, 0.15])
    seats = np.round(rng.lognormal(3, 1, n))
    usage = rng.uniform(0, 1, n)
    risk = 0.4 * (plan == "Starter") - 0.5 * (plan == "Enterprise") - 0.8 * usage + 0.002 * seats
    months = np.ceil(rng.exponential(14 / np.exp(risk)))
    follow = rng.integers(1, 37, n)
    return pd.DataFrame({"months": np.minimum(months, follow).astype(float),
                         "left": (months <= follow).astype(int), "plan": plan, "seats": seats,
                         "usage": usage.round(3)})


def test_cox_matches_lifelines_on_a_tied_export():
    model = sv.CoxModel(["plan", "seats", "usage"], reference={"plan": "Starter"}).fit(
        _subscription_export(), "months", "left")
    assert model.terms_ == ["plan = Enterprise", "plan = Pro", "seats", "usage"]
    # lifelines 0.30.3 CoxPHFitter().fit(design, "t", "e") on the same design (Efron ties);
    # lifelines stops within about 1e-8 of the maximum, the kit within 1e-12.
    assert model.result_.params.tolist() == pytest.approx(
        [-1.0263186064, -0.4338247886, 0.0025057091, -0.7619078853], abs=1e-7)
    assert model.result_.bse.tolist() == pytest.approx(
        [0.1043403627, 0.0646146095, 0.0006668001, 0.1023523533], abs=1e-8)
    assert model.result_.llf == pytest.approx(-7844.29945444, abs=1e-6)
    assert model.result_.converged and model.summary().loc["log-likelihood", "value"] == model.result_.llf


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_matches_statsmodels_phreg(ties):
    from statsmodels.duration.hazard_regression import PHReg

    model = sv.CoxModel(["plan", "seats", "usage"], reference={"plan": "Starter"}, ties=ties).fit(
        _subscription_export(), "months", "left")
    theirs = PHReg(model._time, model._design_fit, status=model._status, ties=ties).fit()
    ours = model.result_
    np.testing.assert_allclose(ours.params, theirs.params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.bse, theirs.bse, rtol=1e-9)
    np.testing.assert_allclose(ours.cov_params(), theirs.cov_params(), rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(ours.pvalues, theirs.pvalues, rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(ours.conf_int(0.9), theirs.conf_int(alpha=0.1), atol=1e-10)
    assert ours.llf == pytest.approx(theirs.llf, abs=1e-8)
    np.testing.assert_allclose(ours.schoenfeld_residuals, theirs.schoenfeld_residuals, atol=1e-10)
    (times, before, surv), = ours.baseline_cumulative_hazard
    expected = theirs.baseline_cumulative_hazard[0]
    np.testing.assert_array_equal(times, expected[0])
    np.testing.assert_allclose(before, expected[1], rtol=1e-9)
    np.testing.assert_allclose(surv, expected[2], rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.booleans(), st.floats(-2, 2), st.integers(0, 3)),
                min_size=3, max_size=40),
       st.floats(-1, 1), st.floats(-1, 1), st.sampled_from(["efron", "breslow"]))
def test_partial_likelihood_equals_statsmodels_at_any_coefficients(rows, b1, b2, ties):
    from statsmodels.duration.hazard_regression import PHReg

    frame = pd.DataFrame(rows, columns=["t", "e", "x", "z"])
    if not frame["e"].any():
        return
    time, status = frame["t"].to_numpy(float), frame["e"].to_numpy(int)
    design = frame[["x", "z"]].to_numpy(float)
    beta = np.array([b1, b2])
    sets = sv._RiskSets(time, status, ties)
    x = design[sets.rows]  # not centred here: the values at the same coefficients must agree
    loglik, gradient, information = sv._partial_likelihood(sets, x, x[sets.events].sum(axis=0), beta)
    theirs = PHReg(time, design, status=status, ties=ties)
    assert loglik == pytest.approx(theirs.loglike(beta), rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(gradient, theirs.score(beta), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(information, -theirs.hessian(beta), rtol=1e-8, atol=1e-9)


def test_proportional_hazards_check_matches_lifelines_without_ties():
    model = sv.CoxModel(["x", "z"]).fit(_tied_frame(0.1, rounded=False), "t", "e")
    check = sv.proportional_hazards_check(model)
    # lifelines proportional_hazard_test(fitter, frame, time_transform="log").
    assert check["statistic"].tolist() == pytest.approx([0.00277125, 0.49605272], abs=1e-7)
    assert check["p-value"].tolist() == pytest.approx([0.95801661, 0.48123968], abs=1e-7)


def test_zero_durations_accepted_as_lifelines_does():
    frame = pd.DataFrame({"t": [0, 0, 2, 3, 3, 5], "e": [1, 0, 1, 1, 0, 1]})
    km = sv.kaplan_meier(frame, "t", "e")
    # By hand: S(0) = 5/6 (one of 6 leaves on day 0), S(2) = 5/6 * 3/4 (the other zero is
    # censored), S(3) = 5/8 * 2/3, S(5) = 0. lifelines' KaplanMeierFitter gives the same.
    assert km["time"].tolist() == [0, 0, 2, 3, 5]
    assert km["survival"].tolist() == pytest.approx([1, 5 / 6, 5 / 8, 5 / 12, 0])
    assert km["low"].iloc[1] == pytest.approx(0.27312285, abs=1e-7)
    assert km["high"].iloc[1] == pytest.approx(0.97471243, abs=1e-7)
    same_day = sv.tenure_table(pd.DataFrame({"s": ["2024-03-01"], "e": ["2024-03-01"]}), "s", "e",
                               AS_OF)
    assert same_day["tenure in months"].tolist() == [0.0] and same_day["churned"].tolist() == [1]


# ----------------------------------------------------------------------------- estimator


def test_cox_model_is_a_scikit_learn_estimator(accounts):
    from sklearn.base import clone
    from sklearn.utils.estimator_checks import (
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_set_params,
    )

    covariates = ("plan", "nps")
    model = sv.CoxModel(covariates, reference=REFERENCE_PLAN, dropna=True, level=0.9)
    assert model.get_params() == {"covariates": covariates, "reference": REFERENCE_PLAN,
                                  "ties": "efron", "dropna": True, "level": 0.9}
    model.fit(accounts, "tenure in months", "churned")
    assert model.covariates is covariates  # fit never rewrites its arguments
    twin = clone(model)
    assert not hasattr(twin, "result_") and twin.get_params() == model.get_params()
    twin.set_params(level=0.95, ties="breslow").fit(accounts, "tenure in months", "churned")
    assert twin.hazard_ratios_.attrs["level"] == 0.95
    assert (twin.hazard_ratios_["high"] > model.hazard_ratios_["high"]).all()
    for check in (check_no_attributes_set_in_init, check_get_params_invariance, check_set_params):
        check("CoxModel", sv.CoxModel(["plan"]))
    one = sv.CoxModel("plan").fit(accounts, "tenure in months", "churned")
    assert one.covariates == "plan" and one.terms_ == ["plan = Pro", "plan = Starter"]


REFERENCE_PLAN = {"plan": "Starter"}


def test_cox_summary_is_a_labelled_table(model, accounts):
    summary = model.summary()
    assert summary.index.name == "quantity" and summary.columns.tolist() == ["value"]
    values = summary["value"]
    assert values["accounts used"] + values["rows left out (missing covariate)"] == len(accounts)
    assert values["departures (events)"] == int(accounts.loc[accounts["nps"].notna(), "churned"].sum())
    assert values["ties"] == "efron" and values["confidence level"] == "95 %"
    # The planted model orders departures well above chance.
    assert 0.7 < values["concordance index (Harrell's C)"] < 0.9
    assert model.preparation_["covariate"].tolist() == COVARIATES
    with pytest.raises(DataError, match="not fitted"):
        sv.CoxModel(["x"]).summary()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 5), st.booleans()), min_size=2,
                max_size=30))
def test_concordance_index_laws(rows):
    frame = pd.DataFrame(rows, columns=["t", "r", "e"])
    time, risk, event = frame["t"].to_numpy(), frame["r"].to_numpy(float), frame["e"].astype(int)
    c = sv.concordance_index(time, risk, event)
    # By brute force over the pairs: i left first (earlier, or same time and j censored).
    num = den = 0.0
    for i in range(len(frame)):
        for j in range(len(frame)):
            if event.iloc[i] and (time[i] < time[j] or (time[i] == time[j] and not event.iloc[j])):
                den += 1
                num += 1.0 if risk[i] > risk[j] else 0.5 if risk[i] == risk[j] else 0.0
    if den == 0:
        assert np.isnan(c)
    else:
        assert c == pytest.approx(num / den)
        # Reversing the score mirrors C around 1/2.
        assert sv.concordance_index(time, -risk, event) == pytest.approx(1 - c)


def test_plots_open_a_new_figure_and_label_the_level(accounts, model):
    km = sv.kaplan_meier(accounts, "tenure in months", "churned", by="plan", level=0.9)
    ax = sv.plot_survival(km)
    assert ax.get_legend().get_title().get_text() == "bands: 90 % interval"
    other = sv.plot_hazard_ratios(model.hazard_ratios_)
    assert other.figure is not ax.figure
    assert other.get_legend_handles_labels()[1] == ["estimate (95 % interval)"]
    plt.close("all")


def test_hazard_ratio_axis_reads_plain_numbers():
    table = pd.DataFrame({"term": ["annual", "tickets"], "hazard ratio": [0.45, 1.2],
                          "low": [0.39, 1.1], "high": [0.53, 1.5]})
    ax = sv.plot_hazard_ratios(table)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels(minor=True) + ax.get_xticklabels()]
    shown = [text for text in labels if text]
    assert shown, "no tick label on the hazard-ratio axis"
    assert not any("10^" in text or "times" in text or "×" in text for text in shown), shown
    assert "0.4" in shown or "0.5" in shown
    plt.close("all")


# ----------------------------------------------------------------------------- extraction date and snapshots


def test_extraction_date_is_the_latest_date_read_day_first():
    subs = pd.DataFrame({"s": ["05/01/2024", "01/02/2024"], "e": ["03/02/2024", None]})
    assert sv.extraction_date(subs, "s", "e") == pd.Timestamp("2024-02-03")
    with pytest.raises(DataError, match="no date"):
        sv.extraction_date(pd.DataFrame({"s": [None], "e": [None]}), "s", "e")


def test_snapshot_hides_the_future_and_labels_the_window():
    subs = pd.DataFrame({"s": ["2024-01-01", "2024-01-01", "2024-03-01", "2024-06-01", "2024-04-01"],
                         "e": ["2024-02-01", "2024-05-01", None, None, "2024-04-01"],
                         "x": [1, 2, 3, 4, 5]})
    before = subs.copy()
    past = sv.snapshot(subs, "s", "e", "01/04/2024", within=3, time_unit="days")
    assert past["x"].tolist() == [1, 2, 3, 5]  # the June signup did not exist yet
    assert past["churned"].tolist() == [1, 0, 0, 1]  # a zero-length account ended that day
    assert past["tenure in days"].tolist() == [31.0, 91.0, 31.0, 0.0]
    assert past["left within"].isna().tolist() == [True, False, False, True]
    assert past["left within"].iloc[1:3].tolist() == [0.0, 0.0]  # 3 days: May is too late
    longer = sv.snapshot(subs, "s", "e", "2024-04-01", within=2)  # months
    assert longer["left within"].iloc[1] == 1.0
    assert past["e"].tolist()[:2] == ["2024-02-01", "2024-05-01"]  # the user's columns as they were
    pd.testing.assert_frame_equal(subs, before)
    with pytest.raises(DataError, match="no subscription had started"):
        sv.snapshot(subs, "s", "e", "2023-01-01")
    with pytest.raises(DataError, match="within"):
        sv.snapshot(subs, "s", "e", "2024-04-01", within=0)
