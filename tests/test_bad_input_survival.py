"""The messy inputs of a class's own export, through every helper of mlmarketing.survival.

Day-first text dates, single-date arguments in day-first text, Vrai/Faux and Oui/Non columns,
inf, decimal-comma text, mixed int/str ids, a numeric customer number, a high-cardinality
category, a missing group: each call returns the hand-computed result or raises a DataError
naming the column or value and the fix.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, DataWarning
from mlmarketing import survival as sv

TOY = pd.DataFrame({"months": [2.0, 3, 3, 5, 8], "left": [1, 1, 0, 1, 0]})


def _cox_frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = rng.exponential(10 / np.exp(0.7 * x))
    return pd.DataFrame({"t": np.minimum(t, 30) + 0.5, "e": (t < 30).astype(int), "x": x})


# ----------------------------------------------------------------------------- dates


def test_single_date_argument_in_day_first_text_is_read_day_first():
    subs = pd.DataFrame({"s": ["2024-01-01"], "e": [None]})
    # 1 December 2024, not 12 January: 335 days after 1 January 2024.
    out = sv.tenure_table(subs, "s", "e", as_of="01/12/2024", time_unit="days")
    assert out["tenure in days"].tolist() == [335.0]
    months = sv.tenure_table(subs, "s", "e", as_of="01/12/2024")
    assert months["tenure in months"].iloc[0] == pytest.approx(335 / 30.4375, abs=1e-6)


def test_day_first_text_date_columns():
    subs = pd.DataFrame({"s": ["01/02/2024", "15/03/2024", "2024-04-01"],
                         "e": ["01/03/2024", None, "10.04.2024"]})
    before = subs.copy()
    out = sv.tenure_table(subs, "s", "e", as_of="31/12/2024", time_unit="days")
    # 1 Feb -> 1 Mar = 29 days (2024 is a leap year); 15 Mar -> 31 Dec = 291; 1 -> 10 Apr = 9.
    assert out["tenure in days"].tolist() == [29.0, 291.0, 9.0]
    assert out["churned"].tolist() == [1, 0, 1]
    pd.testing.assert_frame_equal(subs, before)
    table = sv.cohort_retention(subs, "s", "e", as_of="31/12/2024", max_periods=1)
    assert table.index.tolist() == ["2024-02", "2024-03", "2024-04"]
    assert table[1].tolist() == [0.0, 1.0, 0.0]


def test_month_first_column_is_read_month_first_and_said():
    subs = pd.DataFrame({"s": ["02/01/2024", "12/31/2023"], "e": [None, None]})
    with pytest.warns(DataWarning, match="'s' is read month first"):
        out = sv.tenure_table(subs, "s", "e", as_of="2024-12-31", time_unit="days")
    assert out["tenure in days"].tolist() == [334.0, 366.0]  # 1 February 2024, 31 December 2023
    forced = sv.tenure_table(subs.iloc[:1], "s", "e", as_of="2024-12-31", time_unit="days",
                             day_first=False)
    assert forced["tenure in days"].tolist() == [334.0]


@pytest.mark.parametrize(
    ("start", "as_of", "match"),
    [
        (["2024-01-01"], "demain", r"as_of is 'demain', which is not a date\. Write dates as"),
        (["31/31/2024"], "2024-12-31", r"'s' holds '31/31/2024', which is not a date"),
        (["2024-01-01"], 45000, r"as_of must be a date such as '2024-12-31'"),
    ],
)
def test_values_that_are_not_dates_are_named(start, as_of, match):
    with pytest.raises(DataError, match=match) as error:
        sv.tenure_table(pd.DataFrame({"s": start, "e": [None]}), "s", "e", as_of=as_of)
    assert "dayfirst" not in str(error.value)  # never a suggestion that would misread


def test_cohort_freq_is_an_offset_alias():
    subs = pd.DataFrame({"s": ["05/01/2024"], "e": [None]})
    with pytest.raises(DataError, match="freq must be 'MS'.*'QS'.*got 'M'"):
        sv.cohort_retention(subs, "s", "e", "31/12/2024", freq="M")
    assert sv.cohort_retention(subs, "s", "e", "31/12/2024", freq="QS").index.tolist() == ["2024Q1"]


# ----------------------------------------------------------------------------- yes/no events


@pytest.mark.parametrize(
    "left",
    [["Vrai", "Vrai", "Faux", "Vrai", "Faux"], ["Oui", "oui ", "Non", "OUI", "non"],
     [True, True, False, True, False], ["1", "1", "0", "1", "0"]],
)
def test_yes_no_event_columns(left):
    frame = TOY.assign(left=left)
    km = sv.kaplan_meier(frame, "months", "left")
    assert km["survival"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.3])
    assert sv.median_lifetime(frame, "months", "left")["churned"].tolist() == [3]
    grouped = frame.assign(plan=list("aabbb"))
    assert sv.logrank_test(grouped, "months", "left", "plan").shape == (1, 3)


def test_yes_no_covariate_enters_as_zero_one():
    frame = _cox_frame()
    frame["annual"] = np.where(frame["x"] > 0, "Oui", "Non")
    frame["annual01"] = (frame["x"] > 0).astype(int)
    words = sv.cox_model(frame, "t", "e", ["annual"])
    numbers = sv.cox_model(frame, "t", "e", ["annual01"])
    assert words["term"].tolist() == ["annual"]
    assert words["hazard ratio"].iloc[0] == pytest.approx(numbers["hazard ratio"].iloc[0], rel=1e-12)
    vrai = sv.cox_model(frame.assign(e=frame["e"].map({1: "Vrai", 0: "Faux"})), "t", "e", ["annual01"])
    assert vrai["hazard ratio"].iloc[0] == pytest.approx(numbers["hazard ratio"].iloc[0], rel=1e-12)


@pytest.mark.parametrize(
    ("left", "match"),
    [
        (["Oui", "Peut-être", "Non", "Oui", "Non"], r"'left' must be yes/no .* holds 'Peut-être'. Recode"),
        ([None] * 5, r"'left' has no value at all"),
        (["Oui", None, "Non", "Oui", "Non"], r"'left' has 1 missing value.*row 1.*drop those rows"),
    ],
)
def test_bad_event_columns_are_refused(left, match):
    frame = TOY.assign(left=left)
    for call in (
        lambda: sv.kaplan_meier(frame, "months", "left"),
        lambda: sv.median_lifetime(frame, "months", "left"),
        lambda: sv.logrank_test(frame.assign(g=list("aabbb")), "months", "left", "g"),
        lambda: sv.CoxModel(["x"]).fit(frame.assign(x=[1, 2, 3, 4, 5]), "months", "left"),
    ):
        with pytest.raises(DataError, match=match):
            call()


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("months", "match"),
    [
        ([2.0, np.inf, 3, 5, 8], r"'months' holds infinite values \(row 1\).*drop those rows"),
        ([2.0, -1, 3, 5, 8], r"'months' holds negative durations \(row 1, such as -1\).*drop those"),
        (["2,5", "3,0", "3", "5", "8"], r"'months' must hold numbers.*'2,5'.*decimal commas.*read_table"),
        ([2.0, None, 3, 5, 8], r"'months' has 1 missing duration.*row 1.*tenure_table"),
    ],
)
def test_bad_durations_are_refused_everywhere(months, match):
    frame = TOY.assign(months=months, g=list("aabbb"), x=[1.0, 2, 3, 4, 5])
    for call in (
        lambda: sv.kaplan_meier(frame, "months", "left"),
        lambda: sv.median_lifetime(frame, "months", "left"),
        lambda: sv.logrank_test(frame, "months", "left", "g"),
        lambda: sv.cox_model(frame, "months", "left", ["x"]),
    ):
        with pytest.raises(DataError, match=match):
            call()


def test_bad_covariates_tenures_and_values():
    frame = _cox_frame()
    with pytest.raises(DataError, match=r"'x' holds infinite values \(row 3\)"):
        sv.cox_model(frame.assign(x=frame["x"].where(frame.index != 3, np.inf)), "t", "e", ["x"])
    price = frame["x"].abs().round(2).map(lambda v: f"{v:.2f}".replace(".", ","))
    with pytest.raises(DataError, match=r"'price' must hold numbers.*decimal commas.*pd.to_numeric"):
        sv.cox_model(frame.assign(price=price), "t", "e", ["price"])
    model = sv.CoxModel(["x"]).fit(frame, "t", "e")
    with pytest.raises(DataError, match=r"'t' holds negative tenures \(rows 0, 1, 2"):
        sv.expected_lifetime(model, frame.assign(t=frame["t"] - 100), "t")
    with pytest.raises(DataError, match=r"'t' holds infinite values"):
        sv.expected_lifetime(model, frame.assign(t=np.inf), "t")
    with pytest.raises(DataError, match=r"'v' must hold numbers.*'70,35'.*decimal commas"):
        sv.expected_lifetime(model, frame.assign(v="70,35"), "t", value="v")
    with pytest.raises(DataError, match=r"within must be a positive number"):
        sv.expected_lifetime(model, frame, "t", within=np.inf)


# ----------------------------------------------------------------------------- ids, categories


def test_ids_are_never_covariates():
    frame = _cox_frame()
    customer_number = frame.assign(numero_client=np.arange(1000, 1000 + len(frame)))
    with pytest.raises(DataError, match=r"'numero_client' is an identifier.*Drop it"):
        sv.cox_model(customer_number, "t", "e", ["x", "numero_client"])
    mixed = frame.assign(account=[i if i % 2 else str(i) for i in range(len(frame))])  # 7 and "8"
    with pytest.raises(DataError, match=r"'account' is an identifier"):
        sv.cox_model(mixed, "t", "e", ["account"])


def test_collinear_terms_are_left_out_and_named():
    frame = _cox_frame()
    alone = sv.CoxModel(["x"]).fit(frame, "t", "e")
    frame["x in cents"] = 100 * frame["x"] + 3
    with pytest.warns(DataWarning, match=r"'x in cents' left out of the model.*collinear"):
        model = sv.CoxModel(["x", "x in cents"]).fit(frame, "t", "e")
    assert model.terms_ == ["x"] and model.collinear_terms_ == ["x in cents"]
    assert model.hazard_ratios_["term"].tolist() == ["x"]
    assert model.hazard_ratios_["coefficient"].iloc[0] == pytest.approx(
        alone.hazard_ratios_["coefficient"].iloc[0], abs=1e-10)
    assert model.summary().loc["terms left out (collinear)", "value"] == 1
    assert model.relative_risk(frame.head(3)).tolist() == pytest.approx(
        alone.relative_risk(frame.head(3)).tolist())
    # A real export: customers without internet answer "no internet" to the support question.
    rng = np.random.default_rng(3)
    frame["internet"] = rng.choice(["fibre", "dsl", "none"], len(frame))
    frame["support"] = np.where(frame["internet"] == "none", "no internet",
                                rng.choice(["yes", "no"], len(frame)))
    with pytest.warns(DataWarning, match=r"'support = no internet' left out"):
        model = sv.CoxModel(["x", "internet", "support"],
                            reference={"internet": "dsl", "support": "no"}).fit(frame, "t", "e")
    assert model.terms_ == ["x", "internet = fibre", "internet = none", "support = yes"]
    assert model.hazard_ratios_["low"].notna().all()


def test_a_covariate_that_separates_leavers_is_warned_about():
    frame = _cox_frame()
    frame["early"] = (frame["t"] < 5).astype(int) * frame["e"]  # only early leavers have it
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the kit's warning, not numpy's
        with pytest.warns(DataWarning, match=r"did not converge: the coefficient of 'early'"):
            model = sv.CoxModel(["x", "early"]).fit(frame, "t", "e")
    assert not model.result_.converged
    assert model.hazard_ratios_.set_index("term").loc["early", "hazard ratio"] > 1e6


def test_high_cardinality_category_is_grouped_and_reported():
    frame = _cox_frame(n=1000, seed=1)
    rng = np.random.default_rng(2)
    # 500 cities, a few frequent: the rule keeps min(50, 5 % of 1000) = 50 levels.
    frame["city"] = np.where(rng.random(1000) < 0.5, "Paris",
                             [f"ville {i}" for i in rng.integers(0, 500, 1000)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning, no NaN
        model = sv.CoxModel(["x", "city"], reference={"city": "Paris"}).fit(frame, "t", "e")
    table = model.hazard_ratios_
    assert table["hazard ratio"].notna().all() and len(table) == 1 + 49
    assert "city = other" in table["term"].tolist()
    row = model.preparation_.set_index("covariate").loc["city"]
    n_levels = frame["city"].nunique()
    assert row["levels grouped into other"] == n_levels - 49
    assert model.summary().loc["levels grouped into other", "value"] == n_levels - 49
    # A city never seen in the fit is one of the rare ones: it is scored as "other".
    risk = model.relative_risk(frame.head(2).assign(city=["ville inconnue", "Paris"]))
    assert risk.notna().all()


def test_missing_group_is_refused_with_the_rows():
    frame = TOY.assign(plan=["a", None, "a", "b", "b"])
    for call in (
        lambda: sv.kaplan_meier(frame, "months", "left", by="plan"),
        lambda: sv.median_lifetime(frame, "months", "left", by="plan"),
        lambda: sv.logrank_test(frame, "months", "left", "plan"),
    ):
        with pytest.raises(DataError, match=r"'plan' has 1 missing value\(s\) \(row 1\); fill them"):
            call()


def test_rows_left_out_for_a_missing_covariate_are_counted():
    frame = _cox_frame()
    frame.loc[[3, 7, 9], "x"] = np.nan
    with pytest.raises(DataError, match=r"'x' has 3 missing value\(s\) \(rows 3, 7, 9\).*dropna=True"):
        sv.cox_model(frame, "t", "e", ["x"])
    model = sv.CoxModel(["x"], dropna=True).fit(frame, "t", "e")
    assert model.n_dropped_ == 3
    summary = model.summary()["value"]
    assert summary["rows left out (missing covariate)"] == 3
    assert summary["accounts used"] == len(frame) - 3
    assert sv.expected_lifetime(model, frame, "t")["churn probability"].isna().sum() == 3


# ----------------------------------------------------------------------------- laws


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400), st.booleans()),
                min_size=1, max_size=20))
def test_day_first_and_iso_text_give_the_same_tenures(rows):
    base = pd.Timestamp("2023-01-01")
    starts = [base + pd.Timedelta(days=a) for a, _, _ in rows]
    ends = [s + pd.Timedelta(days=b) if left else None for s, (_, b, left) in zip(starts, rows,
                                                                                   strict=True)]
    as_of = base + pd.Timedelta(days=800)
    iso = pd.DataFrame({"s": [s.strftime("%Y-%m-%d") for s in starts],
                        "e": [e.strftime("%Y-%m-%d") if e is not None else None for e in ends]})
    french = pd.DataFrame({"s": [s.strftime("%d/%m/%Y") for s in starts],
                           "e": [e.strftime("%d/%m/%Y") if e is not None else None for e in ends]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # day first: never a month-first guess
        a = sv.tenure_table(iso, "s", "e", as_of.strftime("%Y-%m-%d"), time_unit="days")
        b = sv.tenure_table(french, "s", "e", as_of.strftime("%d/%m/%Y"), time_unit="days")
    pd.testing.assert_series_equal(a["tenure in days"], b["tenure in days"])
    expected = [(b_ if left else 800 - a_) for a_, b_, left in rows]
    assert a["tenure in days"].tolist() == [float(v) for v in expected]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=2, max_size=30))
def test_event_vocabularies_agree(rows):
    frame = pd.DataFrame(rows, columns=["t", "e"])
    numbers = sv.kaplan_meier(frame.assign(e=frame["e"].astype(int)), "t", "e")
    words = sv.kaplan_meier(frame.assign(e=frame["e"].map({True: "Vrai", False: "Faux"})), "t", "e")
    pd.testing.assert_frame_equal(numbers, words)
