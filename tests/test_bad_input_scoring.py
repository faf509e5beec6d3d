"""Bad input to mlmarketing.scoring: every helper that reads yes/no values, amounts or ids.

Each call gives the hand-computed answer or a DataError naming the column or value and the fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from mlmarketing import DataError
from mlmarketing import scoring as sc

CODINGS = {
    "1/0": (1, 0),
    "Oui/Non": ("Oui", "Non"),
    "Vrai/Faux": ("Vrai", "Faux"),
    "yes/no spaced": (" yes ", "NO"),
    "True/False": (True, False),
}


def customers(n: int = 60, seed: int = 0) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    visits = gen.poisson(5, n)
    plan = gen.choice(["basic", "plus", "pro"], n)
    left = gen.random(n) < 1 / (1 + np.exp(-(visits - 5) * 0.8 - (plan == "pro") * 1.0))
    left[:2] = [True, False]
    return pd.DataFrame(
        {"visits": visits.astype(float), "plan": plan, "left": left.astype(int)}
    )


def coded(df: pd.DataFrame, coding: str) -> pd.DataFrame:
    yes, no = CODINGS[coding]
    return df.assign(left=np.where(df["left"] == 1, yes, no).astype(object))


# ------------------------------------------------------------------ yes/no targets


@pytest.mark.parametrize("coding", list(CODINGS))
def test_every_yes_no_coding_gives_the_hand_computed_rates(coding):
    df = pd.DataFrame({"plan": ["A", "A", "A", "B", "B"], "left": [1, 1, 0, 0, 0]})
    table = sc.rate_by(coded(df, coding), "left", "plan")
    assert table["yes"].tolist() == [2, 0]
    assert table["rate"].tolist() == pytest.approx([2 / 3, 0.0])
    assert table["vs overall"].tolist() == pytest.approx([(2 / 3) / (2 / 5), 0.0])


@pytest.mark.parametrize("coding", ["Oui/Non", "Vrai/Faux"])
def test_french_yes_no_targets_give_the_same_model_and_odds_ratios(coding):
    df = customers()
    reference = sc.odds_ratios(sc.fit_scoring_model(df, "left"), df, "left")
    french = coded(df, coding)
    model = sc.fit_scoring_model(french, "left")
    pd.testing.assert_frame_equal(sc.odds_ratios(model, french, "left"), reference)
    y = french["left"]
    scores = model.predict_proba(french)[:, 1]
    assert sc.evaluate_scores(y, scores).equals(sc.evaluate_scores(df["left"], scores))
    choice = sc.best_threshold(y, scores, 1, 10, 0.5)
    assert choice.expected_profit == sc.best_threshold(df["left"], scores, 1, 10, 0.5).expected_profit


def test_a_target_outside_the_vocabulary_or_all_missing_is_refused():
    df = customers().assign(left=["Oui", "Peut-être"] * 30)
    with pytest.raises(DataError, match=r"'left' must be yes/no .* 'Peut-être'.*Recode"):
        sc.fit_scoring_model(df, "left")
    empty = customers().assign(left=np.nan)
    with pytest.raises(DataError, match=r"'left' has no value at all.*right column"):
        sc.compare_models(empty, "left")
    with pytest.raises(DataError, match=r"'y_true' must be yes/no"):
        sc.gains_table(["oui", "bof"], [0.2, 0.1], n_bins=1)


# ------------------------------------------------------------------ amounts


def test_infinite_values_are_refused_with_the_rows_named():
    df = customers()
    df.loc[[3, 8], "visits"] = np.inf
    for call in (
        lambda: sc.fit_scoring_model(df, "left"),
        lambda: sc.compare_models(df, "left", cv=3),
        lambda: sc.feature_roles(df, "left"),
    ):
        with pytest.raises(DataError, match=r"'visits' holds infinite values \(rows 3, 8\).*Replace"):
            call()
    with pytest.raises(DataError, match=r"'value_if_retained' holds infinite values \(row 1\)"):
        sc.best_threshold([1, 0], [0.8, 0.2], 1, [10, np.inf], 0.5)
    with pytest.raises(DataError, match=r"holds infinite values \(row 0\)"):
        sc.evaluate_scores([1, 0], {"model": [np.inf, 0.1]})


def test_negative_customer_values_are_refused_with_the_rows_named():
    with pytest.raises(DataError, match=r"'value_if_retained' holds negative values \(row 1, such as -5\)"):
        sc.campaign_profit([1, 0], {"all": [1, 1]}, 1, [10, -5], 0.5)


@pytest.mark.parametrize(
    "values, fix",
    [
        (["70,35", "1 234,50", " "], "decimal commas"),
        (["70,35", "12", "3,5"], "decimal commas"),
    ],
)
def test_decimal_comma_text_is_refused_with_the_fix_not_made_a_category(values, fix):
    df = customers().assign(TotalCharges=(values * 20)[:60])
    with pytest.raises(DataError, match=rf"'TotalCharges' must hold numbers.*{fix}.*read_table"):
        sc.feature_roles(df, "left")
    with pytest.raises(DataError, match=r"'TotalCharges'.*pd.to_numeric"):
        sc.fit_scoring_model(df, "left")


def test_numbers_stored_as_text_with_a_point_are_still_converted():
    df = customers().assign(TotalCharges=[" "] + [f"{v:.2f}" for v in range(1, 60)])
    roles = sc.feature_roles(df, "left").set_index("column")
    assert roles.loc["TotalCharges", "role"] == "number stored as text"
    assert roles.loc["TotalCharges", "note"] == (
        "converted to numbers; 1 blank or missing filled with the median"
    )


# ------------------------------------------------------------------ ids


def test_a_numeric_customer_number_is_never_a_predictor():
    df = customers().assign(numero_client=np.arange(100_001, 100_061))
    roles = sc.feature_roles(df, "left").set_index("column")
    assert roles.loc["numero_client", "role"] == "id"
    assert "never a predictor" in roles.loc["numero_client", "note"]
    model = sc.fit_scoring_model(df, "left")
    assert "numero_client" not in model.feature_names_in_
    # Unique whole numbers under any name are an id too, once the table has 100 rows.
    many = pd.concat([customers()] * 2, ignore_index=True)
    unnamed = many.assign(code_x=np.random.default_rng(1).permutation(len(many)) * 7)
    assert sc.feature_roles(unnamed, "left").set_index("column").loc["code_x", "role"] == "id"
    with pytest.raises(DataError, match=r"feature 'numero_client' cannot be used: it is an identifier"):
        sc.fit_scoring_model(df, "left", features=["visits", "numero_client"])


def test_mixed_int_and_text_ids_are_one_id_column_and_left_out():
    ids = pd.Series([7, "8", 9.0, "10.0"] + list(range(11, 67)), dtype=object)
    df = customers().assign(customer_id=ids)
    roles = sc.feature_roles(df, "left").set_index("column")
    assert roles.loc["customer_id", "role"] == "id"


def test_mixed_int_and_text_category_levels_are_one_level():
    df = customers()
    basic = (df["plan"] == "basic").to_numpy()
    pairs = enumerate(zip(basic, df["plan"], strict=True))
    values = [(7 if k % 2 else "7") if b else p for k, (b, p) in pairs]
    mixed = df.assign(plan=pd.Series(values, dtype=object))
    assert {type(v) for v in mixed["plan"]} == {int, str}
    table = sc.odds_ratios(sc.fit_scoring_model(mixed, "left"), mixed, "left")
    assert table["level"].tolist() == ["+1 unit", "plus", "pro"]
    assert table["compared with"].tolist()[1:] == ["7", "7"]
    pd.testing.assert_frame_equal(
        table[["log-odds", "p-value"]],
        sc.odds_ratios(sc.fit_scoring_model(df, "left"), df, "left")[["log-odds", "p-value"]],
    )


# ------------------------------------------------------------------ categories


def test_a_high_cardinality_category_is_grouped_into_other_not_a_dense_matrix():
    gen = np.random.default_rng(0)
    n = 20_000
    city = np.where(gen.random(n) < 0.5, "Paris", np.char.add("town", gen.integers(0, 5000, n).astype(str)))
    df = pd.DataFrame({"city": city, "visits": gen.poisson(5, n).astype(float)})
    df["left"] = (gen.random(n) < np.where(df["city"] == "Paris", 0.4, 0.2)).astype(int)
    roles = sc.feature_roles(df, "left").set_index("column")
    levels = df["city"].nunique()
    assert roles.loc["city", "note"] == (
        f"{levels} levels; the 49 most frequent kept, the other {levels - 49} grouped into 'other' "
        "(at most 50 levels for 20,000 rows)"
    )
    model = sc.fit_scoring_model(df, "left")
    width = model.named_steps["prepare"].transform(df.head(3)).shape[1]
    assert width == 1 + 49  # visits, then 50 levels of city against the reference
    table = sc.odds_ratios(model, df, "left")
    assert "other" in table["level"].tolist()
    # The grouped small towns against Paris (the reference, most frequent and first in order):
    # the planted odds ratio, (0.2/0.8) / (0.4/0.6).
    other = table.set_index("level").loc["other"]
    assert other["compared with"] == "Paris"
    assert other["log-odds"] == pytest.approx(np.log((0.2 / 0.8) / (0.4 / 0.6)), abs=0.1)


def test_small_tables_keep_their_few_levels():
    df = customers()  # 60 rows: at most 3 levels, and plan has 3
    roles = sc.feature_roles(df, "left").set_index("column")
    assert roles.loc["plan", "note"] == "3 levels"


# ------------------------------------------------------------------ missing groups


def test_a_missing_group_is_a_group_of_its_own_not_dropped():
    df = pd.DataFrame({"plan": ["A", None, "A", None, "B"], "left": ["Oui", "Oui", "Non", "Oui", "Non"]})
    table = sc.rate_by(df, "left", "plan")
    assert table["customers"].sum() == 5
    assert table.loc["(missing)", "rate"] == 1.0
    assert table.loc["A", "rate"] == 0.5


# ------------------------------------------------------------------ estimators and laws


def test_fitted_models_clone_and_keep_their_parameters():
    df = customers()
    model = sc.fit_scoring_model(df, "left")
    params = model.get_params()
    copy = clone(model)
    assert set(copy.get_params()) == set(params)
    copy.set_params(model__C=0.5)
    assert model.get_params()["model__C"] == 1.0
    refitted = copy.fit(df.drop(columns="left"), df["left"])
    assert refitted.predict_proba(df)[:, 1].shape == (60,)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", None]), st.booleans()), min_size=2, max_size=40))
def test_rate_by_laws(rows):
    df = pd.DataFrame(rows, columns=["plan", "left"])
    if df["left"].nunique() < 2:
        return
    coded_df = df.assign(left=np.where(df["left"], "Vrai", "Faux"))
    table = sc.rate_by(coded_df, "left", "plan")
    assert table["customers"].sum() == len(df)
    assert table["yes"].sum() == df["left"].sum()
    # The overall rate is the average of the group rates weighted by their sizes.
    assert (table["rate"] * table["share of customers"]).sum() == pytest.approx(df["left"].mean())


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=2, max_value=6), st.integers(min_value=0, max_value=10_000))
def test_odds_ratio_of_a_category_is_the_hand_computed_ratio_of_odds(n_per_cell, seed):
    gen = np.random.default_rng(seed)
    yes_a, yes_b = gen.integers(1, n_per_cell * 4, 2)
    cells = [("A", 1)] * yes_a + [("A", 0)] * (n_per_cell * 4 - yes_a + 1)
    cells += [("B", 1)] * yes_b + [("B", 0)] * (n_per_cell * 4 - yes_b + 1)
    df = pd.DataFrame(cells, columns=["plan", "left"])
    table = sc.odds_ratios(sc.fit_scoring_model(df, "left"), df, "left")
    no_a, no_b = n_per_cell * 4 - yes_a + 1, n_per_cell * 4 - yes_b + 1
    assert table.loc[0, "odds ratio"] == pytest.approx((yes_b / no_b) / (yes_a / no_a), rel=1e-6)
    assert table.loc[0, "low"] < table.loc[0, "odds ratio"] < table.loc[0, "high"]
