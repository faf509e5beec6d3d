"""mlmarketing.recommend on the awkward input of a real export.

Day-first text dates and a day-first ``cut``, ids written 7, "7" and "7.0", a numeric customer
number, inf and decimal-comma amounts, negative values where they are impossible, a category
with a level per product, missing groups. Each call gives the hand-computed answer or a
DataError naming the column or value and the fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, DataWarning
from mlmarketing.recommend import (
    ItemKNNRecommender,
    PopularityRecommender,
    RuleBasedRecommender,
    ScoreTableRecommender,
    evaluate_recommender,
    long_tail,
    next_best_offer,
    purchase_probability,
    recommendation_metrics,
)

# a, b, c bought tent then stove (or lamp); d only a book. Dates as a French export writes them.
DAY_FIRST = pd.DataFrame(
    {
        "customer_id": ["a", "a", "b", "b", "c", "c", "d"],
        "product_id": ["tent", "stove", "tent", "stove", "tent", "stove", "book"],
        "category": ["camping"] * 6 + ["books"],
        "date": ["02/01/2024", "03/01/2024", "04/01/2024", "05/01/2024", "06/01/2024", "01/02/2024",
                 "07/01/2024"],
    }
)
ISO = DAY_FIRST.assign(date=pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05",
                                            "2024-01-06", "2024-02-01", "2024-01-07"]))


# ---------------------------------------------------------------- dates


def test_day_first_text_dates_and_cut_give_the_iso_answer():
    # Cut on 15 January: c's stove (1 February) is the only new purchase after it; item-kNN finds it.
    models = {"knn": ItemKNNRecommender(), "pop": PopularityRecommender()}
    by_text = evaluate_recommender(DAY_FIRST, models, "15/01/2024", k=1)
    by_iso = evaluate_recommender(ISO, models, "2024-01-15", k=1)
    pd.testing.assert_frame_equal(by_text, by_iso)
    assert by_text.loc["knn", "customers"] == 1
    assert by_text.loc["knn", "hit rate"] == 1.0  # stove: bought with tent by a and b
    # Read month first, "01/02/2024" would be 2 January, before the cut, and nothing would be left.


def test_a_day_first_cut_is_not_read_month_first():
    # "01/02/2024" is 1 February: c's stove bought that day is in the window after the cut.
    table = purchase_probability(ItemKNNRecommender(), ISO, "01/02/2024", horizon_days=10)
    assert table.equals(purchase_probability(ItemKNNRecommender(), ISO, "2024-02-01", horizon_days=10))
    with pytest.raises(DataError, match=r"cut is '31/31/2024'.*not a date"):
        evaluate_recommender(ISO, {"pop": PopularityRecommender()}, "31/31/2024")


def test_a_value_that_is_not_a_date_is_named():
    broken = DAY_FIRST.assign(date=DAY_FIRST["date"].where(DAY_FIRST.index != 3, "5 janvier"))
    with pytest.raises(DataError, match=r"column 'date' holds '5 janvier', which is not a date"):
        evaluate_recommender(broken, {"pop": PopularityRecommender()}, "15/01/2024")


def test_a_missing_date_is_refused_with_its_row():
    gap = ISO.assign(date=ISO["date"].where(ISO.index != 4))
    with pytest.raises(DataError, match=r"column 'date' has 1 missing value\(s\) \(row 4\).*dropna"):
        evaluate_recommender(gap, {"pop": PopularityRecommender()}, "2024-01-15")


def test_month_first_dates_are_read_month_first_and_said():
    us = DAY_FIRST.assign(date=["01/02/2024", "01/03/2024", "01/04/2024", "01/05/2024", "01/06/2024",
                                "02/01/2024", "01/31/2024"])
    with pytest.warns(DataWarning, match="month first"):
        table = evaluate_recommender(us, {"knn": ItemKNNRecommender()}, "2024-01-15", k=1)
    assert table.loc["knn", "hit rate"] == 1.0


# ---------------------------------------------------------------- ids


MIXED = pd.DataFrame(
    {
        # customer 7 written four ways, customer 8 twice: two customers, not six
        "customer_id": pd.Series([7, "7", "7.0", 7.0, 8, "8"], dtype=object),
        "product_id": pd.Series([101, "101", 102, "102.0", 101, 103.0], dtype=object),
    }
)


def test_ids_written_several_ways_are_one_customer_and_one_product():
    model = PopularityRecommender().fit(MIXED)
    assert model.customers_.tolist() == ["7", "8"]
    assert model.items_.tolist() == ["101", "102", "103"]
    # distinct buyers: 101 by 7 and 8, 102 by 7, 103 by 8
    assert model.item_counts_.tolist() == [2.0, 1.0, 1.0]
    knn = ItemKNNRecommender(shrinkage=0.0).fit(MIXED)
    # 101 and 102 share customer 7: cosine 1 / sqrt(2 * 1)
    assert knn.similar_items(101, k=1)["similarity"].iloc[0] == pytest.approx(1 / np.sqrt(2), abs=1e-6)
    assert knn.recommend([8.0], k=1)["item"].tolist() == ["102"]
    assert knn.recommend(["8"], k=1)["customer"].tolist() == ["8"]


def test_a_numeric_customer_number_works_and_comes_back_as_text():
    purchases = pd.DataFrame({"client_no": [1001, 1001, 1002, 1003], "sku": [5, 6, 5, 6]})
    recs = ItemKNNRecommender("client_no", "sku").fit(purchases).recommend([1002, 1003, 9999], k=1)
    assert recs.to_dict("list") == {
        "customer": ["1002", "1003", "9999"], "rank": [1, 1, 1], "item": ["6", "5", "5"],
        # one shared customer of two buyers each, shrinkage 5: 1 / (sqrt(2 * 2) + 5) = 1/7
        "score": pytest.approx([1 / 7, 1 / 7, 0.0], abs=1e-6),
    }


def test_metrics_compare_ids_as_text():
    recs = pd.DataFrame({"customer": ["7", "7", "8"], "rank": [1, 2, 1], "item": ["101", "102", "103"]})
    test = pd.DataFrame({"customer_id": [7, 8.0], "product_id": [102, "104"]})
    m = recommendation_metrics(recs, test, k=2).iloc[0]
    assert m["customers"] == 2 and m["hit rate"] == 0.5 and m["precision"] == 0.25


def test_long_tail_catalogue_ids_match_whatever_the_spelling():
    table = long_tail(pd.DataFrame({"product_id": [1, "1", 2]}), catalogue=[1, 2.0, "3"])
    assert table[["item", "sales"]].values.tolist() == [["1", 2], ["2", 1], ["3", 0]]


def test_next_best_offer_matches_exclude_and_capacity_as_text():
    candidates = pd.DataFrame({"customer_id": ["7", "8"], "product_id": ["101", "101"],
                               "probability": [0.5, 0.4], "margin": [10.0, 10.0]})
    plan = next_best_offer(candidates, capacity={101: 1}, exclude=pd.DataFrame({"customer_id": [7],
                                                                                  "product_id": [101.0]}))
    assert plan.assignments[["customer_id", "product_id"]].values.tolist() == [["8", "101"]]
    assert plan.expected_margin == pytest.approx(4.0)


def test_a_score_table_with_one_id_twice_is_refused():
    scores = pd.DataFrame({"tent": [0.1, 0.2]}, index=pd.Index([7, "7"], dtype=object))
    with pytest.raises(DataError, match=r"7 and '7' are the same id"):
        ScoreTableRecommender(scores).fit(MIXED)


def test_a_missing_customer_is_refused_with_its_row():
    with pytest.raises(DataError, match=r"column 'customer_id' has 1 missing value\(s\) \(row 2\)"):
        ItemKNNRecommender().fit(MIXED.assign(customer_id=[7, 8, None, 7, 8, 8]))


_SPELLINGS = [lambda i: i, str, lambda i: f"{i}.0", float, lambda i: f" {i} "]


@settings(max_examples=30, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 6)), min_size=2, max_size=40),
    spelling=st.data(),
)
def test_same_recommendations_whatever_the_spelling_of_the_ids(pairs, spelling):
    plain = pd.DataFrame({"customer_id": [str(c) for c, _ in pairs],
                          "product_id": [str(p) for _, p in pairs]})
    if plain["product_id"].nunique() < 2:
        return
    pick = [spelling.draw(st.sampled_from(_SPELLINGS)) for _ in range(2 * len(pairs))]
    written = pd.DataFrame({
        "customer_id": pd.Series([pick[i](c) for i, (c, _) in enumerate(pairs)], dtype=object),
        "product_id": pd.Series([pick[len(pairs) + i](p) for i, (_, p) in enumerate(pairs)], dtype=object),
    })
    for model in (ItemKNNRecommender(), PopularityRecommender()):
        expected = model.fit(plain).recommend(k=2)
        got = model.fit(written).recommend(k=2)
        pd.testing.assert_frame_equal(got, expected)


# ---------------------------------------------------------------- amounts and scores


_CANDIDATES = pd.DataFrame({"customer_id": ["a", "b"], "product_id": ["x", "x"],
                            "probability": [0.5, 0.3], "margin": [10.0, 10.0]})


@pytest.mark.parametrize(
    "change, kwargs, match",
    [
        (dict(margin=[10.0, np.inf]), {}, r"column 'margin' holds infinite values \(row 1\)"),
        (dict(probability=[0.5, -np.inf]), {}, r"column 'probability' holds infinite values \(row 1\)"),
        (dict(margin=["10,50", "8,00"]), {}, r"column 'margin'.*decimal commas.*read_table"),
        (dict(margin=["1,000.50", "2,500.00"]), {}, r"column 'margin'.*thousands separators"),
        (dict(margin=[10.0, None]), {}, r"column 'margin' has 1 missing value\(s\) \(row 1\)"),
        ({}, dict(contact_cost=-0.05), r"contact_cost must be a finite amount of 0 or more"),
        ({}, dict(contact_cost=np.inf), r"contact_cost must be a finite amount"),
        ({}, dict(capacity={"x": -3}), r"capacity must be 0 or more"),
        ({}, dict(capacity={"x": "cent"}), r"capacity must give a number.*'cent'"),
    ],
)
def test_bad_amounts_are_refused_with_the_fix(change, kwargs, match):
    with pytest.raises(DataError, match=match):
        next_best_offer(_CANDIDATES.assign(**change), **kwargs)


def test_a_negative_margin_is_allowed_and_never_chosen():
    plan = next_best_offer(_CANDIDATES.assign(margin=[-5.0, 10.0]))
    assert plan.assignments["customer_id"].tolist() == ["b"] and plan.expected_margin == pytest.approx(3.0)


@pytest.mark.parametrize(
    "scores, match",
    [
        (pd.DataFrame({"tent": [0.5, -0.1]}, index=["a", "b"]), r"'tent' holds negative scores \(row b"),
        (pd.DataFrame({"tent": [0.5, np.inf]}, index=["a", "b"]), r"'tent' holds infinite values \(row b\)"),
        (pd.DataFrame({"tent": ["0,5", "0,1"]}, index=["a", "b"]), r"'tent'.*decimal commas"),
    ],
)
def test_bad_score_tables_are_refused(scores, match):
    with pytest.raises(DataError, match=match):
        ScoreTableRecommender(scores).fit(ISO)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ItemKNNRecommender(shrinkage=-1.0).fit(ISO), "shrinkage must be a number >= 0"),
        (lambda: ItemKNNRecommender(shrinkage=np.inf).fit(ISO), "shrinkage"),
        (lambda: ItemKNNRecommender(block_size=0).fit(ISO), "block_size must be a whole number"),
        (lambda: ItemKNNRecommender().fit(ISO).recommend(k=2.5), r"k \(products per customer\)"),
        (lambda: purchase_probability(ItemKNNRecommender(), ISO, "2024-01-15", horizon_days=-7),
         "horizon_days must be a whole number of at least 1"),
        (lambda: long_tail(ISO, head_share=np.inf), "head_share must be between 0 and 1"),
    ],
)
def test_impossible_numbers_are_refused(call, match):
    with pytest.raises(DataError, match=match):
        call()


# ---------------------------------------------------------------- categories and groups


def test_a_category_with_one_level_per_product_is_fine():
    # Each product its own category: the favourite category's best sellers are what the customer
    # already bought, so the shop's best sellers fill the list, exactly as popularity does.
    many = pd.DataFrame({
        "customer_id": [f"c{i % 300}" for i in range(3000)],
        "product_id": [f"p{(i * 7) % 997}" for i in range(3000)],
    })
    many["category"] = "level " + many["product_id"]
    rule = RuleBasedRecommender().fit(many)
    assert rule.summary().loc["categories", "value"] == many["product_id"].nunique()
    popular = PopularityRecommender().fit(many)
    customers = ["c0", "c17", "c299"]
    by_rule = rule.recommend(customers, k=3)["item"].tolist()
    assert by_rule == popular.recommend(customers, k=3)["item"].tolist()


def test_a_missing_category_is_refused_with_its_row():
    with pytest.raises(DataError, match=r"column 'category' has 1 missing value\(s\) \(row 6\).*dropna"):
        RuleBasedRecommender().fit(ISO.assign(category=ISO["category"].where(ISO.index != 6)))


def test_the_callers_tables_are_left_alone():
    before = MIXED.copy(), DAY_FIRST.copy()
    ItemKNNRecommender().fit(MIXED).recommend(k=1)
    evaluate_recommender(DAY_FIRST, {"rule": RuleBasedRecommender()}, "15/01/2024", k=1)
    pd.testing.assert_frame_equal(MIXED, before[0])
    pd.testing.assert_frame_equal(DAY_FIRST, before[1])
