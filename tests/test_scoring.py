"""mlmarketing.scoring: binary customer scores, their evaluation, drivers and profit threshold."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.inspection import permutation_importance
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from mlmarketing import DataError, load_dataset
from mlmarketing import scoring as sc
from mlmarketing.simulate import planted_truth


@pytest.fixture(scope="module")
def churn() -> pd.DataFrame:
    return load_dataset("churn")


@pytest.fixture(scope="module")
def truth() -> dict:
    return planted_truth("churn")


@pytest.fixture(scope="module")
def shipped_comparison(churn):
    return sc.compare_models(churn, "Churn", cv=5, random_state=0, return_scores=True)


@pytest.fixture(scope="module")
def small(churn) -> pd.DataFrame:
    return churn.sample(1500, random_state=1).reset_index(drop=True)


def toy(n: int = 60, seed: int = 0) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    visits = gen.poisson(5, n)
    plan = gen.choice(["basic", "plus", "pro"], n)
    p = 1 / (1 + np.exp(-(visits - 5) * 0.8 - (plan == "pro") * 1.0))
    left = gen.random(n) < p
    left[:2] = [True, False]
    return pd.DataFrame(
        {
            "client": [f"K{i:03d}" for i in range(n)],
            "visits": visits,
            "plan": plan,
            "left": np.where(left, "Yes", "No"),
        }
    )


# ------------------------------------------------------------------ feature roles and bad input


def test_feature_roles_explain_every_column():
    df = toy()
    df["spend"] = [" "] + [f"{v:.2f}" for v in np.linspace(10, 50, len(df) - 1)]
    df["empty"] = np.nan
    df["since"] = pd.Timestamp("2024-01-01")
    roles = sc.feature_roles(df, "left").set_index("column")["role"]
    assert roles.to_dict() == {
        "client": "id",
        "visits": "number",
        "plan": "category",
        "spend": "number stored as text",
        "empty": "left out: all missing",
        "since": "left out: date",
    }
    note = sc.feature_roles(df, "left").set_index("column").loc["spend", "note"]
    assert "1 blank" in note and "median" in note


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (["client", "visits"], "'client' cannot be used"),
        (["empty"], "'empty' cannot be used"),
        (["visits", "left"], "target 'left' is also in features"),
        (["visit"], "Did you mean 'visits'"),
    ],
)
def test_bad_features_raise_a_clear_error(features, message):
    df = toy()
    df["empty"] = np.nan
    with pytest.raises(DataError, match=message):
        sc.fit_scoring_model(df, "left", features=features)


def test_numbers_stored_as_text_with_a_stray_word_are_named():
    df = toy()
    df["spend"] = ["n/a"] + ["12.5"] * (len(df) - 1)
    with pytest.raises(DataError, match=r"'spend' holds numbers stored as text, but also 'n/a'"):
        sc.feature_roles(df, "left")


def test_target_problems_raise_a_clear_error():
    df = toy()
    with pytest.raises(DataError, match="single class"):
        sc.compare_models(df.assign(left="No"), "left", cv=3)
    with pytest.raises(DataError, match="(?i)'maybe'"):
        sc.compare_models(df.assign(left=["Maybe"] + list(df["left"][1:])), "left", cv=3)
    with pytest.raises(DataError, match="target column 'churn' is not a column"):
        sc.compare_models(df, "churn")
    with pytest.raises(DataError, match="fewer than the 10 folds"):
        sc.compare_models(df.assign(left=["Yes"] * 3 + ["No"] * (len(df) - 3)), "left", cv=10)
    with pytest.raises(DataError, match="no column of the table can be used"):
        sc.compare_models(df[["client", "left"]], "left", cv=3)


def test_bad_models_raise_a_clear_error():
    df = toy()
    with pytest.raises(DataError, match="unknown model 'forest'"):
        sc.fit_scoring_model(df, "left", "forest")
    with pytest.raises(DataError, match="classifier with predict_proba"):
        sc.fit_scoring_model(df, "left", object())
    with pytest.raises(DataError, match="non-empty dict"):
        sc.compare_models(df, "left", models={}, cv=3)


# ------------------------------------------------------------------------- fitting and comparing


@pytest.mark.parametrize(
    "coding",
    [
        {"Yes": "Yes", "No": "No"},
        {"Yes": 1, "No": 0},
        {"Yes": True, "No": False},
        {"Yes": "oui", "No": "non"},
    ],
)
def test_every_yes_no_coding_gives_the_same_comparison(coding):
    df = toy(120)
    models = {"logistic": "logistic regression"}
    reference = sc.compare_models(df, "left", models, cv=3)
    recoded = df.assign(left=df["left"].map(coding))
    pd.testing.assert_frame_equal(sc.compare_models(recoded, "left", models, cv=3), reference)


def test_compare_models_does_not_modify_the_table_and_returns_honest_scores():
    df = toy(120)
    before = df.copy()
    table, scores = sc.compare_models(df, "left", cv=3, return_scores=True)
    pd.testing.assert_frame_equal(df, before)
    assert list(table.columns) == ["ROC AUC", "ROC AUC sd", "average precision", "Brier score"]
    assert list(scores.columns) == list(table.index)
    assert scores.index.equals(df.index)
    assert scores.notna().all().all() and ((scores >= 0) & (scores <= 1)).all().all()
    # Out-of-fold scores of the baseline are each fold's training rate: a near-constant score.
    assert scores["baseline: average rate"].std() < 0.05
    assert table.loc["baseline: average rate", "ROC AUC"] == pytest.approx(0.5)


def test_compare_models_equals_cross_validate_of_one_pipeline_per_model(small):
    from sklearn.model_selection import StratifiedKFold, cross_validate

    table = sc.compare_models(small, "Churn", cv=3, random_state=2)
    X, y, prepare = sc._prepare(small, "Churn", None)
    for name, model in sc.default_models(2).items():
        result = cross_validate(
            Pipeline([("prepare", prepare), ("model", model)]),
            X,
            y,
            cv=StratifiedKFold(3, shuffle=True, random_state=2),
            scoring=["roc_auc", "average_precision", "neg_brier_score"],
        )
        row = table.loc[name]
        assert row["ROC AUC"] == pytest.approx(result["test_roc_auc"].mean(), abs=1e-12)
        assert row["ROC AUC sd"] == pytest.approx(result["test_roc_auc"].std(ddof=1), abs=1e-12)
        assert row["average precision"] == pytest.approx(
            result["test_average_precision"].mean(), abs=1e-12
        )
        assert row["Brier score"] == pytest.approx(
            -result["test_neg_brier_score"].mean(), abs=1e-12
        )


def test_compare_models_takes_any_classifier_and_a_splitter():
    from sklearn.model_selection import KFold

    df = toy(120)
    table = sc.compare_models(
        df,
        "left",
        models={"tree": DecisionTreeClassifier(max_depth=2), "knn": KNeighborsClassifier()},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    assert list(table.index) == ["tree", "knn"]
    assert table["ROC AUC"].between(0, 1).all()


def test_missing_values_and_unseen_levels_are_handled():
    df = toy(80)
    df.loc[::7, "visits"] = np.nan
    df.loc[::5, "plan"] = np.nan
    model = sc.fit_scoring_model(df, "left")
    new = pd.DataFrame({"client": ["X"], "visits": [np.nan], "plan": [np.nan]})
    assert 0 < model.predict_proba(new)[0, 1] < 1
    levels = sc.odds_ratios(model, df, "left").query("column == 'plan'")["level"].tolist()
    assert levels == ["plus", "pro", "(missing)"]  # compared with "basic", the first level
    unseen = pd.DataFrame({"client": ["Y", "Z"], "visits": [3, 3], "plan": ["gold", "basic"]})
    with pytest.warns(UserWarning, match="unknown categories"):
        scores = model.predict_proba(unseen)[:, 1]
    assert scores[0] == scores[1]


def test_fit_scoring_model_on_any_classifier_scores_new_customers():
    df = toy(80)
    model = sc.fit_scoring_model(df, "left", DecisionTreeClassifier(max_depth=2))
    assert model.predict_proba(df.drop(columns="left")).shape == (80, 2)


# ---------------------------------------------------------------------- the planted truth


def test_best_model_is_within_001_of_the_best_achievable_auc(shipped_comparison, truth):
    table, _ = shipped_comparison
    best = table["ROC AUC"].drop("baseline: average rate").max()
    assert abs(best - truth["best_auc"]) <= 0.01
    assert table.loc["baseline: average rate", "ROC AUC"] == pytest.approx(0.5)
    # The models are also better calibrated than the baseline.
    assert (
        table["Brier score"].drop("baseline: average rate")
        < table.loc["baseline: average rate", "Brier score"]
    ).all()


def test_out_of_fold_scores_do_almost_as_well_as_the_planted_probabilities(
    churn, shipped_comparison, truth
):
    _, scores = shipped_comparison
    judged = sc.evaluate_scores(churn["Churn"], {**scores, "truth": truth["churn_probability"]})
    assert judged.loc["truth", "ROC AUC"] == pytest.approx(truth["best_auc"])
    assert judged.loc["logistic regression", "ROC AUC"] > judged.loc["truth", "ROC AUC"] - 0.01
    assert (
        judged.loc["logistic regression", "Brier score"]
        < judged.loc["truth", "Brier score"] + 0.005
    )


def test_odds_ratios_recover_the_planted_levers(churn, truth):
    model = sc.fit_scoring_model(churn, "Churn", "logistic regression")
    table = sc.odds_ratios(model, churn, "Churn").set_index(["column", "level"])
    wide_table = sc.odds_ratios(model, churn, "Churn", level=0.999).set_index(["column", "level"])
    for column in ["Contract", "InternetService", "TechSupport", "OnlineSecurity", "PaymentMethod"]:
        reference = truth["reference"][column]
        for level, log_odds in truth["effects"][column].items():
            if level == reference or (column, level) == ("InternetService", "No"):
                continue
            row = table.loc[(column, level)]
            assert row["compared with"] == reference
            # Sampling error: two-year contracts have few leavers, and tenure shares its
            # effect with TotalCharges (tenure x monthly charge).
            assert row["log-odds"] == pytest.approx(log_odds, abs=0.6), (column, level)
            wide = wide_table.loc[(column, level)]
            assert wide["low"] < np.exp(log_odds) < wide["high"], (column, level)
            assert np.sign(row["log-odds"]) == np.sign(log_odds) or abs(log_odds) < 0.2
    # "No internet" shows in InternetService and in the six "No internet service" option levels
    # (the same customers): the option levels are left out, with a note, and InternetService: No
    # carries the whole effect. Likewise "No phone service" is PhoneService: No.
    options = ["OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport"]
    for column in options + ["StreamingTV", "StreamingMovies"]:
        row = table.loc[(column, "No internet service")]
        assert np.isnan(row["odds ratio"]) and np.isnan(row["p-value"])
        assert row["note"] == "left out: determined by InternetService: No"
    assert table.loc[("MultipleLines", "No phone service"), "note"] == (
        "left out: determined by PhoneService: Yes"
    )
    assert table["note"].ne("").sum() == 7
    assert table.loc[("InternetService", "No"), "log-odds"] == pytest.approx(
        truth["effects"]["InternetService"]["No"], abs=0.5
    )
    estimated = table[table["note"] == ""]
    assert (estimated["low"] < estimated["odds ratio"]).all()
    assert (estimated["odds ratio"] < estimated["high"]).all()
    assert estimated["p-value"].between(0, 1).all()
    assert table.loc[("tenure", "+1 unit"), "log-odds"] == pytest.approx(-0.035, abs=0.02)
    assert table.loc[("gender", "Male"), "odds ratio"] == pytest.approx(1.0, abs=0.15)


def test_drivers_rank_contract_first_and_gender_last(churn):
    model = sc.fit_scoring_model(churn, "Churn", "gradient boosting")
    drivers = sc.score_drivers(model, churn, "Churn", n_repeats=2)
    assert drivers.loc[0, "column"] == "Contract"
    assert drivers.set_index("column").loc["gender", "drop in ROC AUC"] < 0.002
    assert set(drivers["column"]) == set(model.feature_names_in_)


def test_helpers_run_unchanged_on_renamed_columns_with_a_01_target(small):
    renamed = small.rename(columns=lambda c: f"col_{c.lower()}")
    renamed["col_churn"] = (small["Churn"] == "Yes").astype(int)
    assert (renamed["col_totalcharges"] == " ").any() or (small["tenure"] > 0).all()
    original = sc.compare_models(small, "Churn", cv=3)
    again = sc.compare_models(renamed, "col_churn", cv=3)
    np.testing.assert_allclose(again.to_numpy(), original.to_numpy())
    roles = sc.feature_roles(renamed, "col_churn").set_index("column")["role"]
    assert roles["col_customerid"] == "id"
    assert roles["col_totalcharges"] == "number stored as text"
    model = sc.fit_scoring_model(renamed, "col_churn")
    assert len(sc.score_drivers(model, renamed, "col_churn", n_repeats=1)) == 19


def test_blank_total_charges_become_missing_then_the_median(churn):
    blanks = churn[churn["tenure"] == 0]
    assert len(blanks) > 0 and (blanks["TotalCharges"] == " ").all()
    numbers = sc._to_numbers(churn["TotalCharges"])
    assert numbers.isna().sum() == len(blanks)
    model = sc.fit_scoring_model(churn, "Churn")
    imputer = model.named_steps["prepare"].named_transformers_["number"].named_steps["impute"]
    position = list(model.named_steps["prepare"].transformers_[0][2]).index("TotalCharges")
    assert imputer.statistics_[position] == pytest.approx(numbers.median())


# ------------------------------------------------------------------------------- drivers


def test_score_drivers_equal_scikit_learn_permutation_importance():
    df = toy(150)
    df["spend"] = [" "] + [f"{v:.2f}" for v in np.linspace(10, 50, len(df) - 1)]
    df.loc[::9, "plan"] = np.nan
    for name in ["logistic regression", "gradient boosting"]:
        model = sc.fit_scoring_model(df, "left", name)
        ours = sc.score_drivers(model, df, "left", n_repeats=3, random_state=3)
        columns = list(model.feature_names_in_)
        theirs = permutation_importance(
            model,
            df[columns],
            (df["left"] == "Yes").astype(int),
            scoring="roc_auc",
            n_repeats=3,
            random_state=3,
        )
        expected = pd.Series(theirs.importances_mean, index=columns)
        got = ours.set_index("column")["drop in ROC AUC"]
        np.testing.assert_allclose(got[columns].to_numpy(), expected.to_numpy(), atol=1e-12)


def test_drivers_and_odds_ratios_reject_what_they_cannot_read():
    df = toy()
    with pytest.raises(DataError, match="returned by fit_scoring_model"):
        sc.score_drivers(DecisionTreeClassifier(), df, "left")
    boosted = sc.fit_scoring_model(df, "left", "gradient boosting")
    with pytest.raises(DataError, match="odds ratios need a logistic regression"):
        sc.odds_ratios(boosted, df, "left")
    with pytest.raises(DataError, match="model column 'visits'"):
        sc.score_drivers(boosted, df.drop(columns="visits"), "left")


def test_odds_ratios_are_per_unit_of_the_original_column():
    gen = np.random.default_rng(0)
    x = gen.normal(50, 20, 4000)
    left = gen.random(4000) < 1 / (1 + np.exp(-(x - 50) * 0.05))
    df = pd.DataFrame({"x": x, "left": left})
    model = sc.fit_scoring_model(df, "left")
    row = sc.odds_ratios(model, df, "left").iloc[0]
    assert row["level"] == "+1 unit"
    assert row["log-odds"] == pytest.approx(0.05, abs=0.01)
    # The same numbers as statsmodels' Logit on the raw column (unpenalised), per unit.
    import statsmodels.api as sm

    fitted = sm.Logit(left.astype(float), sm.add_constant(x)).fit(disp=0)
    assert row["log-odds"] == pytest.approx(fitted.params[1], rel=1e-6)
    low, high = np.exp(fitted.conf_int(alpha=0.05)[1])
    assert (row["low"], row["high"]) == (pytest.approx(low, rel=1e-6), pytest.approx(high, rel=1e-6))
    assert row["p-value"] == pytest.approx(fitted.pvalues[1], rel=1e-4, abs=1e-300)
    narrower = sc.odds_ratios(model, df, "left", level=0.5).iloc[0]
    assert row["low"] < narrower["low"] < narrower["high"] < row["high"]


def test_rate_by_hand_computed_and_checked():
    df = pd.DataFrame({"plan": ["A", "A", "B", "B", "B", None], "left": [1, 1, 0, 1, 0, 0]})
    table = sc.rate_by(df, "left", "plan")
    assert table.index.tolist() == ["A", "B", "(missing)"]
    assert table["customers"].tolist() == [2, 3, 1]
    assert table["rate"].round(3).tolist() == [1.0, 0.333, 0.0]
    assert table.loc["A", "vs overall"] == pytest.approx(2.0)
    with pytest.raises(DataError, match="group column 'plans'"):
        sc.rate_by(df, "left", "plans")


# ------------------------------------------------------------------- gains and evaluation


def test_gains_table_hand_computed():
    y = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    table = sc.gains_table(y, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0], n_bins=5)
    assert table["positives"].tolist() == [2, 1, 0, 0, 0]
    assert table["cumulative % of customers"].tolist() == [20.0, 40.0, 60.0, 80.0, 100.0]
    assert table["lift"].round(3).tolist() == [3.333, 2.5, 1.667, 1.25, 1.0]
    assert table["lowest score"].tolist() == [0.8, 0.6, 0.4, 0.2, 0.0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=4, max_size=80),
    st.integers(1, 12),
)
def test_gains_table_laws(rows, n_bins):
    y = [r[0] for r in rows]
    if len(set(y)) < 2 or n_bins > len(rows):
        return
    table = sc.gains_table(y, [r[1] for r in rows], n_bins=n_bins)
    assert table["customers"].sum() == len(rows)
    assert table["positives"].sum() == sum(y)
    assert table["cumulative % of positives"].iloc[-1] == pytest.approx(100)
    assert table["lift"].iloc[-1] == pytest.approx(1)
    assert table["cumulative % of positives"].is_monotonic_increasing


def test_evaluate_scores():
    table = sc.evaluate_scores(["Yes", "No", "Yes", "No"], {"perfect": [0.9, 0.1, 0.8, 0.2]})
    assert table.loc["perfect", "ROC AUC"] == 1
    assert table.loc["perfect", "Brier score"] == pytest.approx((0.01 + 0.01 + 0.04 + 0.04) / 4)
    points = sc.evaluate_scores([1, 0, 1, 0], pd.Series([5, 1, 3, 2], name="points"))
    assert np.isnan(points.loc["points", "Brier score"])
    with pytest.raises(DataError, match="one number per customer"):
        sc.evaluate_scores([1, 0, 1], [0.5, 0.5])
    with pytest.raises(DataError, match="missing"):
        sc.evaluate_scores([1, 0], [0.5, np.nan])
    with pytest.raises(DataError, match="n_bins"):
        sc.gains_table([1, 0], [0.5, 0.2], n_bins=3)


# ---------------------------------------------------------------------- profit and threshold


def test_best_threshold_hand_computed():
    # Each contacted leaver: 0.5 x 100 - 10 = +40; each contacted stayer: -10.
    # Cumulative profit down the ranking: 40, 80, 70, 110, 100, 90 -> best: top 4.
    choice = sc.best_threshold(
        [1, 1, 0, 1, 0, 0],
        [0.9, 0.8, 0.7, 0.6, 0.2, 0.1],
        offer_cost=10,
        value_if_retained=100,
        acceptance_rate=0.5,
    )
    assert choice.curve["expected profit"].tolist() == [0, 40, 80, 70, 110, 100, 90]
    assert choice.curve["customers contacted"].tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert (choice.threshold, choice.expected_profit, choice.customers_contacted) == (0.6, 110, 4)
    assert choice.share_contacted == pytest.approx(4 / 6)
    assert choice.summary().loc["best threshold", "expected profit"] == 110


def test_best_threshold_contacts_tied_scores_together_and_can_call_no_one():
    choice = sc.best_threshold([1, 0, 0, 1], [0.5, 0.5, 0.2, 0.2], 10, 100, 0.5)
    assert choice.curve["customers contacted"].tolist() == [0, 2, 4]
    assert choice.curve["expected profit"].tolist() == [0, 30, 60]
    expensive = sc.best_threshold([1, 0, 0, 1], [0.9, 0.5, 0.2, 0.1], 80, 100, 0.5)
    assert expensive.customers_contacted == 0 and expensive.threshold == np.inf
    assert expensive.expected_profit == 0


def test_value_per_customer():
    choice = sc.best_threshold([1, 1, 0], [0.9, 0.8, 0.1], 10, [20, 500, 0], 0.5)
    assert choice.curve["expected profit"].tolist() == [0, 0, 240, 230]
    assert choice.customers_contacted == 2


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=2, max_size=60),
    st.floats(0, 50),
    st.floats(0, 500),
    st.floats(0, 1),
)
def test_best_threshold_beats_every_contact_list_of_the_top_scores(rows, cost, value, rate):
    y = [r[0] for r in rows]
    scores = np.array([r[1] for r in rows])
    if len(set(y)) < 2:
        return
    choice = sc.best_threshold(y, scores, cost, value, rate)
    strategies = {
        "everyone": np.ones(len(y), bool),
        "no one": np.zeros(len(y), bool),
        "best": scores >= choice.threshold,
    }
    profit = sc.campaign_profit(y, strategies, cost, value, rate)["expected profit"]
    assert profit["best"] == pytest.approx(choice.expected_profit, abs=1e-6)
    assert choice.expected_profit >= profit["everyone"] - 1e-6
    assert choice.expected_profit >= 0
    assert choice.expected_profit == pytest.approx(choice.curve["expected profit"].max())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(offer_cost=-1, value_if_retained=100, acceptance_rate=0.5), "offer_cost"),
        (dict(offer_cost=10, value_if_retained=100, acceptance_rate=30), "between 0 and 1"),
        (dict(offer_cost=10, value_if_retained=[1, 2], acceptance_rate=0.5), "one number per"),
        (dict(offer_cost="10", value_if_retained=100, acceptance_rate=0.5), "must be a number"),
    ],
)
def test_money_arguments_are_checked(kwargs, message):
    with pytest.raises(DataError, match=message):
        sc.best_threshold([1, 0, 1], [0.9, 0.1, 0.5], **kwargs)


def test_campaign_profit_checks_the_contact_lists():
    with pytest.raises(DataError, match="strategy 'rule'"):
        sc.campaign_profit([1, 0, 1], {"rule": [1, 0]}, 10, 100, 0.5)
    with pytest.raises(DataError, match="non-empty dict"):
        sc.campaign_profit([1, 0, 1], [1, 0, 1], 10, 100, 0.5)


# ------------------------------------------------------------------------------------ plots


def test_plot_helpers_return_their_axes():
    y = [1, 0, 1, 0, 1, 0, 0, 0]
    scores = {"model": [0.9, 0.2, 0.7, 0.4, 0.6, 0.1, 0.3, 0.2], "rule": [1, 0, 1, 1, 0, 0, 0, 0]}
    for plot in (sc.plot_roc, sc.plot_precision_recall, sc.plot_gains):
        _, ax = plt.subplots()
        assert plot(y, scores, ax=ax) is ax
    assert sc.plot_calibration(y, scores, n_bins=2) is not None
    choice = sc.best_threshold(y, scores["model"], 10, 100, 0.5)
    assert sc.plot_profit_curve(choice).get_xlabel().startswith("% of customers")
    drivers = pd.DataFrame({"column": ["a", "b"], "drop in ROC AUC": [0.1, 0.0], "sd": [0, 0]})
    assert len(sc.plot_drivers(drivers).patches) == 2
    with pytest.raises(DataError, match="not probabilities"):
        sc.plot_calibration(y, {"points": [5, 1, 3, 2, 1, 1, 1, 1]})
    with pytest.raises(DataError, match="best_threshold"):
        sc.plot_profit_curve(drivers)
    plt.close("all")


def test_profit_difference_hand_computed_and_its_interval_covers_it():
    y = [1, 0] * 50
    lists = {"all": [1] * 100, "half": [1, 0] * 50, "none": [0] * 100}
    table = sc.profit_difference(y, lists, 10, 100, 0.5, baseline="all")
    # Calling only the 50 leavers saves the 50 useless calls of 10 €: +500 €.
    assert table.index.tolist() == ["half", "none"]
    assert table.loc["half", "profit difference"] == 500.0
    assert table.loc["none", "profit difference"] == -(0.5 * 50 * 100 - 10 * 100)
    assert (table["low"] <= table["profit difference"]).all()
    assert (table["profit difference"] <= table["high"]).all()
    same = sc.profit_difference(y, lists, 10, 100, 0.5, baseline="all")
    pd.testing.assert_frame_equal(table, same)  # random_state=0: the same interval every run
    wider = sc.profit_difference(y, lists, 10, 100, 0.5, baseline="all", level=0.99)
    assert (wider["high"] - wider["low"] >= table["high"] - table["low"]).all()


def test_profit_difference_of_a_list_with_itself_is_exactly_zero():
    y = np.random.default_rng(1).integers(0, 2, 300)
    mask = np.random.default_rng(2).integers(0, 2, 300).astype(bool)
    table = sc.profit_difference(y, {"a": mask, "b": mask}, 30, 300, 0.3, baseline="a")
    assert table.loc["b"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"baseline": "missing"}, "baseline"),
        ({"baseline": "all", "level": 95}, "level"),
        ({"baseline": "all", "n_resamples": 10}, "n_resamples"),
    ],
)
def test_profit_difference_checks_its_arguments(kwargs, message):
    with pytest.raises(DataError, match=message):
        sc.profit_difference([1, 0], {"all": [1, 1], "none": [0, 0]}, 1, 10, 0.5, **kwargs)
    with pytest.raises(DataError, match="True/False"):
        sc.profit_difference([1, 0], {"all": [1, 1], "bad": [2, 0]}, 1, 10, 0.5, baseline="all")


def test_call_list_holds_only_customers_still_there_highest_score_first(churn):
    model = sc.fit_scoring_model(churn, "Churn", "logistic regression")
    calls = sc.call_list(model, churn, "Churn", 0.3, customer="customerID", columns=["Contract"])
    assert calls.columns.tolist() == ["customerID", "Contract", "score"]
    assert (churn.loc[calls.index, "Churn"] == "No").all()
    assert (calls["score"] >= 0.3).all()
    assert calls["score"].is_monotonic_decreasing
    stayers = churn[churn["Churn"] == "No"]
    expected = model.predict_proba(stayers)[:, 1]
    assert len(calls) == int((expected >= 0.3).sum())
    assert sc.call_list(model, churn, "Churn", 2.0).empty  # a threshold above every score: no call
    assert sc.call_list(model, churn, "Churn", 0.3).columns.tolist() == ["score"]


def test_call_list_reads_any_yes_no_target_and_names_bad_arguments():
    df = pd.DataFrame({"id": list("abcdefgh"), "visits": [1, 5, 2, 8, 3, 9, 1, 7],
                       "parti": ["Oui", "Non", "Oui", "Non", "Oui", "Non", "Non", "Oui"]})
    model = sc.fit_scoring_model(df, "parti", features=["visits"])
    assert sc.call_list(model, df, "parti", 0.0, customer="id")["id"].tolist()[0] == "g"
    with pytest.raises(DataError, match="nope"):
        sc.call_list(model, df, "parti", 0.5, customer="nope")
    with pytest.raises(DataError, match="threshold"):
        sc.call_list(model, df, "parti", "0.5")
    with pytest.raises(DataError, match="fit_scoring_model"):
        sc.call_list("model", df, "parti", 0.5)


# ------------------------------------------------------- a sample richer in leavers than the base


def test_rescale_scores_hand_computed_keeps_the_order_and_the_index():
    # Odds 1 at a sample rate of 0.5; the base's odds are 1/9: odds 1/9, probability 0.1.
    scores = pd.Series([0.5, 0.2, 0.0, 1.0], index=[7, 3, 5, 1], name="score")
    rescaled = sc.rescale_scores(scores, sample_rate=0.5, base_rate=0.1)
    assert rescaled.index.tolist() == [7, 3, 5, 1] and rescaled.name == "score"
    assert rescaled.tolist() == pytest.approx([0.1, (0.25 / 9) / (1 + 0.25 / 9), 0.0, 1.0])
    assert sc.rescale_scores(scores, 0.5, None).tolist() == scores.tolist()
    assert isinstance(sc.rescale_scores([0.3, 0.6], 0.3, 0.01), np.ndarray)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.001, 0.999), min_size=2, max_size=30), st.floats(0.05, 0.95),
       st.floats(0.005, 0.95))
def test_rescaling_there_and_back_gives_the_scores_and_keeps_their_order(scores, sample, base):
    there = sc.rescale_scores(scores, sample, base)
    back = sc.rescale_scores(there, base, sample)
    assert back == pytest.approx(scores, rel=1e-6, abs=1e-9)
    # The order is kept: sorted by the scores, the rescaled scores never go down (beyond rounding,
    # which can swap two scores one floating-point step apart).
    in_order = np.asarray(there)[np.argsort(scores, kind="stable")]
    assert (np.diff(in_order) >= -1e-12).all()


def test_a_model_fitted_on_a_sample_rich_in_leavers_rescaled_gives_the_base_probabilities():
    from sklearn.linear_model import LogisticRegression

    gen = np.random.default_rng(0)
    x = gen.normal(size=200_000)
    probability = 1 / (1 + np.exp(-(-4.6 + 1.2 * x)))  # about 2 % of the base leave
    left = gen.random(len(x)) < probability
    # The study sample: every leaver, and as many stayers drawn at random.
    rows = np.r_[np.flatnonzero(left), gen.choice(np.flatnonzero(~left), 3 * left.sum(), replace=False)]
    model = LogisticRegression().fit(x[rows, None], left[rows])
    grid = np.linspace(-2, 2, 9)
    in_sample = model.predict_proba(grid[:, None])[:, 1]
    rescaled = sc.rescale_scores(in_sample, left[rows].mean(), left.mean())
    true = 1 / (1 + np.exp(-(-4.6 + 1.2 * grid)))
    assert np.abs(in_sample - true).max() > 0.2  # unrescaled, the sample's probabilities are far off
    assert rescaled == pytest.approx(true, rel=0.15, abs=0.003)


def test_base_weights_give_the_table_the_base_rate_and_its_size():
    y = pd.Series(["Yes", "No", "No", "No", "Yes"], index=list("abcde"))
    weights = sc.base_weights(y, base_rate=0.1)
    assert weights.index.tolist() == list("abcde")
    assert weights.sum() == pytest.approx(5)
    assert weights[y == "Yes"].sum() / weights.sum() == pytest.approx(0.1)
    assert sc.base_weights(y, None).tolist() == [1.0] * 5


def test_weighted_profit_equals_the_profit_of_the_table_with_rows_repeated():
    gen = np.random.default_rng(3)
    y = gen.integers(0, 2, 40)
    scores = gen.random(40)
    weights = gen.integers(0, 4, 40)
    repeated = np.repeat(np.arange(40), weights)
    weighted = sc.best_threshold(y, scores, 10, 100, 0.3, weights=weights)
    plain = sc.best_threshold(y[repeated], scores[repeated], 10, 100, 0.3)
    assert weighted.threshold == plain.threshold
    assert weighted.expected_profit == pytest.approx(plain.expected_profit)
    assert weighted.customers_contacted == plain.customers_contacted
    lists = {"top": scores >= 0.5, "all": np.ones(40, bool)}
    table = sc.campaign_profit(y, lists, 10, 100, 0.3, weights=weights)
    expected = sc.campaign_profit(y[repeated], {k: v[repeated] for k, v in lists.items()}, 10, 100, 0.3)
    pd.testing.assert_frame_equal(table, expected)  # whole weights: whole customers
    difference = sc.profit_difference(y, lists, 10, 100, 0.3, baseline="all", weights=weights)
    gap = table.loc["top", "expected profit"] - table.loc["all", "expected profit"]
    assert difference.loc["top", "profit difference"] == pytest.approx(gap)
    assert difference.loc["top", "low"] <= gap <= difference.loc["top", "high"]


def test_a_sample_rich_in_leavers_flatters_a_campaign_the_base_would_lose_money_on():
    # 50 % leavers in the table, 2 % in the base: calling everyone pays on the table only.
    y = [1, 0] * 50
    everyone = {"everyone": [1] * 100}
    on_table = sc.campaign_profit(y, everyone, 10, 100, 0.5)["expected profit"].iloc[0]
    on_base = sc.campaign_profit(y, everyone, 10, 100, 0.5, weights=sc.base_weights(y, 0.02))
    assert on_table == 1500.0
    assert on_base["customers contacted"].iloc[0] == pytest.approx(100)
    assert on_base["positives contacted"].iloc[0] == pytest.approx(2)
    assert on_base["expected profit"].iloc[0] == pytest.approx(0.5 * 100 * 2 - 10 * 100)


def test_top_scores_contacts_as_many_customers_as_asked_counted_in_the_base():
    scores = pd.Series([0.2, 0.9, 0.5, 0.7], index=list("wxyz"))
    assert sc.top_scores(scores, 2).tolist() == [False, True, False, True]
    assert sc.top_scores(scores, 2).index.tolist() == list("wxyz")
    assert sc.top_scores(scores, 0).sum() == 0 and sc.top_scores(scores, 10).all()
    # x stands for 0.5 customers, z for 2: a budget of 2 calls reaches x and no one else.
    assert sc.top_scores(scores, 2, weights=[1, 0.5, 1, 2]).tolist() == [False, True, False, False]
    assert sc.top_scores(scores, 2.5, weights=[1, 0.5, 1, 2]).tolist() == [False, True, False, True]


def test_call_list_rescales_its_scores_to_the_base_rate(churn):
    model = sc.fit_scoring_model(churn, "Churn", "logistic regression")
    plain = sc.call_list(model, churn, "Churn", 0.0)
    rate = (churn["Churn"] == "Yes").mean()
    rescaled = sc.call_list(model, churn, "Churn", 0.1, base_rate=0.02)
    expected = sc.rescale_scores(plain["score"], rate, 0.02)
    assert (rescaled["score"] >= 0.1).all()
    assert len(rescaled) == int((expected >= 0.1).sum()) > 0
    pd.testing.assert_series_equal(rescaled["score"], expected[expected >= 0.1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sc.rescale_scores([0.5], 0.5, 0.0), "base_rate"),
        (lambda: sc.rescale_scores([0.5], 0.5, 1.0), "base_rate"),
        (lambda: sc.rescale_scores([0.5], 0.5, "0.01"), "base_rate"),
        (lambda: sc.rescale_scores([0.5], 27, 0.01), "sample_rate"),
        (lambda: sc.rescale_scores([3.0], 0.5, 0.01), "probabilities"),
        (lambda: sc.base_weights([1, 1], 0.01), "single class"),
        (lambda: sc.base_weights([1, 0], 5), "base_rate"),
        (lambda: sc.best_threshold([1, 0], [0.5, 0.2], 1, 10, 0.5, weights=[1, -1]), "weights"),
        (lambda: sc.campaign_profit([1, 0], {"a": [1, 1]}, 1, 10, 0.5, weights=[1]), "weights"),
        (lambda: sc.top_scores([0.5, 0.2], -1), "n_customers"),
    ],
)
def test_rescaling_and_weights_name_bad_arguments(call, message):
    with pytest.raises(DataError, match=message):
        call()
