"""Bad input to mlmarketing.segmentation: every helper that reads yes/no values, amounts or ids.

Each call gives the hand-computed answer or a DataError naming the column or value and the fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_dont_overwrite_parameters,
    check_estimators_overwrite_params,
    check_fit_idempotent,
    check_get_params_invariance,
    check_set_params,
    check_transformer_data_not_an_array,
)

from mlmarketing import DataError
from mlmarketing import segmentation as sg
from mlmarketing.segmentation import _FillAndCap


def behaviour(n: int = 40, seed: int = 0) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    group = np.arange(n) % 2
    return pd.DataFrame(
        {
            "visits": np.where(group == 0, 2.0, 20.0) + gen.normal(0, 0.5, n).round(1),
            "carts": np.where(group == 0, 0.5, 5.0) + gen.normal(0, 0.2, n).round(1),
        }
    )


# ------------------------------------------------------------------ ids


def test_a_numeric_customer_number_is_never_a_feature():
    df = behaviour().assign(numero_client=np.arange(50_001, 50_041))
    seg = sg.segment_customers(df, None, n_segments=2)
    assert list(seg.preparation.index) == ["visits", "carts"]
    # The segments are those of the behaviour alone: the id changes nothing.
    alone = sg.segment_customers(df[["visits", "carts"]], None, n_segments=2)
    assert seg.labels.equals(alone.labels)
    assert list(sg.choose_k(df, [2]).index) == [2]
    with pytest.raises(DataError, match=r"feature 'numero_client' is an identifier.*Remove it"):
        sg.segment_customers(df, ["visits", "numero_client"], n_segments=2)
    with pytest.raises(DataError, match=r"feature 'customer_id' is an identifier"):
        sg.profile_segments(df.assign(customer_id=1), [1, 2] * 20, ["customer_id"])


def test_mixed_int_and_text_region_codes_match_as_one_code():
    customers = pd.DataFrame({"region_code": pd.Series([11, "11", " 11 ", 11.0, "53"], dtype=object)})
    regions = pd.DataFrame({"region_code": ["11.0", "53"], "income": [27_400, 22_300]})
    joined = sg.add_region_stats(customers, regions)
    assert joined["income"].tolist() == [27_400, 27_400, 27_400, 27_400, 22_300]
    floats = pd.DataFrame({"region_code": [11.0, np.nan]})
    kept = sg.add_region_stats(floats, regions.assign(region_code=[11, 53]), unknown="keep")
    assert kept["income"].iloc[0] == 27_400 and np.isnan(kept["income"].iloc[1])


def test_a_missing_region_is_counted_and_named_not_dropped():
    customers = pd.DataFrame({"region_code": ["11", None, "99"]})
    regions = pd.DataFrame({"region_code": ["11"], "income": [27_400]})
    with pytest.raises(DataError, match=r"2 customer\(s\).*'\(missing\)' \(1\), '99' \(1\).*unknown='keep'"):
        sg.add_region_stats(customers, regions)
    assert len(sg.add_region_stats(customers, regions, unknown="keep")) == 3


# ------------------------------------------------------------------ amounts


def test_infinite_values_are_refused_with_the_rows_named():
    df = behaviour()
    df.loc[[4, 9], "carts"] = np.inf
    for call in (
        lambda: sg.segment_customers(df, ["visits", "carts"], n_segments=2),
        lambda: sg.choose_k(df, [2, 3]),
        lambda: sg.profile_segments(df, [1, 2] * 20, ["carts"]),
    ):
        with pytest.raises(DataError, match=r"'carts' holds infinite values \(rows 4, 9\).*Replace"):
            call()


def test_decimal_comma_text_is_refused_with_the_fix():
    df = behaviour().assign(revenue=["70,35", "1 234,50"] * 20)
    with pytest.raises(DataError, match=r"'revenue' must hold numbers.*decimal commas.*read_table"):
        sg.segment_customers(df, ["visits", "revenue"], n_segments=2)
    with pytest.raises(DataError, match=r"'revenue' must hold numbers.*decimal commas"):
        sg.profile_segments(df, [1, 2] * 20, ["revenue"])


def test_a_high_cardinality_category_is_refused_as_a_feature_with_the_fix():
    df = behaviour().assign(city=pd.Categorical([f"town{k % 10}" for k in range(40)]))
    with pytest.raises(DataError, match=r"feature 'city' is a category, not a number.*pd.get_dummies"):
        sg.segment_customers(df, ["visits", "city"], n_segments=2)


# ------------------------------------------------------------------ yes/no


@pytest.mark.parametrize("yes, no", [("Oui", "Non"), ("Vrai", "Faux"), (True, False), (" yes", "NO")])
def test_yes_no_columns_are_shares_whatever_their_coding(yes, no):
    df = pd.DataFrame({"carts": [1, 1, 4, 6], "newsletter": [yes, no, yes, yes]})
    profile = sg.profile_segments(df, [1, 1, 2, 2], ["carts", "newsletter"], as_ratio=False)
    # Segment 1: one of two reads the newsletter; segment 2: both; all: 3 of 4.
    assert profile["newsletter"].tolist() == [0.5, 1.0, 0.75]
    seg = sg.segment_customers(df, ["carts", "newsletter"], n_segments=2, clip=None)
    ones = df.assign(newsletter=[1, 0, 1, 1])
    same = sg.segment_customers(ones, ["carts", "newsletter"], n_segments=2, clip=None)
    assert seg.labels.equals(same.labels)
    pd.testing.assert_frame_equal(seg.centres, same.centres)


def test_a_yes_no_column_outside_the_vocabulary_is_refused():
    df = pd.DataFrame({"carts": [1, 1, 4, 6], "newsletter": ["Oui", "Peut-être", "Non", "Oui"]})
    with pytest.raises(DataError, match=r"'newsletter' must hold numbers but holds text such as 'Oui'"):
        sg.profile_segments(df, [1, 1, 2, 2], ["newsletter"])


# ------------------------------------------------------------------ missing segments


def test_missing_segments_are_refused_not_dropped():
    df = behaviour(10)
    labels = [1, 2, None, 1, 2, 1, 2, 1, 2, 1]
    with pytest.raises(DataError, match=r"labels has 1 missing segment"):
        sg.profile_segments(df, labels, ["visits"])
    with pytest.raises(DataError, match=r"labels has 1 missing segment"):
        sg.campaign_sample(df, labels, n=4, n_arms=2)


# ------------------------------------------------------------------ estimators and results


def test_fill_and_cap_follows_scikit_learn_conventions():
    step = _FillAndCap(clip=(0.05, 0.95))
    assert clone(step).get_params() == {"clip": (0.05, 0.95)}
    step.set_params(clip=None)
    assert step.clip is None
    for check in (
        check_get_params_invariance,
        check_set_params,
        check_dont_overwrite_parameters,
        check_estimators_overwrite_params,
        check_fit_idempotent,
        check_transformer_data_not_an_array,
    ):
        check("_FillAndCap", _FillAndCap())


def test_segmentation_summary_and_a_cloned_model():
    df = behaviour()
    seg = sg.segment_customers(df, ["visits", "carts"], n_segments=2)
    table = seg.summary()
    assert table["customers"].tolist() == [20, 20]
    assert table["share of customers"].tolist() == [0.5, 0.5]
    assert table.attrs["silhouette"] == seg.silhouette
    refit = clone(seg.model).fit(df)
    assert len(set(refit.predict(df))) == 2


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=30))
def test_region_codes_written_as_numbers_or_text_join_the_same(codes):
    regions = pd.DataFrame({"region_code": list(range(1, 100)), "income": np.arange(1, 100) * 10})
    as_numbers = sg.add_region_stats(pd.DataFrame({"region_code": codes}), regions)
    as_text = sg.add_region_stats(pd.DataFrame({"region_code": [f" {c}.0" for c in codes]}), regions)
    assert as_numbers["income"].tolist() == as_text["income"].tolist() == [10 * c for c in codes]
