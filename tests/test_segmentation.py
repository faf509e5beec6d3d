"""mlmarketing.segmentation: K-Means segments, profiles, regional join, stratified campaign sample."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from mlmarketing import DataError, load_dataset
from mlmarketing import scoring as sc
from mlmarketing import segmentation as sg
from mlmarketing.simulate import planted_truth

TARGET = "bought_last_campaign"
BEHAVIOUR = [
    "sessions_90d",
    "minutes_on_site_90d",
    "pages_per_session",
    "add_to_cart_90d",
    "cart_abandonment_rate",
    "email_clicks_90d",
    "days_since_last_visit",
    "orders_12m",
    "mobile_share",
]
N_TOP = 5000


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return sg.add_region_stats(load_dataset("target"), load_dataset("regions"), unknown="keep")


@pytest.fixture(scope="module")
def truth() -> dict:
    return planted_truth("target")


@pytest.fixture(scope="module")
def top(customers) -> pd.DataFrame:
    features = [c for c in customers.columns if c not in ("customer_id", TARGET, "region_name")]
    model = sc.fit_scoring_model(customers, TARGET, features=features)
    score = pd.Series(model.predict_proba(customers)[:, 1], index=customers.index)
    return customers.loc[score.nlargest(N_TOP).index]


@pytest.fixture(scope="module")
def segments(top) -> sg.Segmentation:
    return sg.segment_customers(top, BEHAVIOUR, n_segments=4, random_state=0)


def blobs(n_per: int = 30, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three well-separated groups in two columns."""
    gen = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    truth = np.repeat(np.arange(3), n_per)
    values = centres[truth] + gen.normal(0, 0.5, (3 * n_per, 2))
    return pd.DataFrame(values, columns=["visits", "carts"]), truth


# -- the planted truth on the shipped data ---------------------------------------------------


def test_segments_recover_the_planted_personas_of_the_top_customers(top, segments, truth):
    personas = truth["persona"][top.index]
    assert set(personas) == {"loyal regulars", "deal hunters", "researchers", "mobile newcomers"}
    assert adjusted_rand_score(personas, segments.labels) >= 0.9


def test_propensity_model_is_close_to_the_best_auc_and_beats_the_rule(customers, truth):
    features = [c for c in customers.columns if c not in ("customer_id", TARGET, "region_name")]
    table = sc.compare_models(customers, TARGET, features=features, cv=5, random_state=0)
    rule = (customers["days_since_last_visit"] <= 30).astype(int)
    rule_auc = sc.evaluate_scores(customers[TARGET], {"rule": rule}).loc["rule", "ROC AUC"]
    best = truth["best_auc"]
    assert abs(table.loc["logistic regression", "ROC AUC"] - best) <= 0.02
    assert table.loc["logistic regression", "ROC AUC"] > rule_auc + 0.1


def test_choose_k_the_elbow_and_the_truth_agree_on_four(top, truth):
    table = sg.choose_k(top, range(2, 7), random_state=0, features=BEHAVIOUR,
                        reference=truth["persona"][top.index])
    assert table["adjusted Rand index"].idxmax() == 4
    assert table["inertia"].is_monotonic_decreasing
    assert table["silhouette"].between(-1, 1).all()
    assert np.isnan(table.loc[2, "inertia drop %"])


def test_segment_centres_are_in_original_units(top, segments):
    centres = segments.centres
    assert centres["customers"].sum() == N_TOP
    assert centres["customers"].is_monotonic_decreasing
    for segment, row in centres.iterrows():
        members = top[segments.labels == segment]
        # Centres are the means of the prepared (filled, capped) values: close to the raw means.
        assert row["add_to_cart_90d"] == pytest.approx(members["add_to_cart_90d"].mean(), rel=0.05)
    assert segments.preparation.loc["cart_abandonment_rate", "missing filled"] == int(
        top["cart_abandonment_rate"].isna().sum()
    )
    assert segments.preparation.loc["minutes_on_site_90d", "values capped"] > 0


def test_the_campaign_plan_on_the_shipped_data(top, segments):
    plan = sg.campaign_sample(top, segments.labels, n=1000, n_arms=5, random_state=0)
    assert len(plan) == 1000 and plan.index.is_unique
    assert plan["arm"].value_counts().tolist() == [200] * 5
    shares = segments.labels.value_counts()
    counts = plan["segment"].value_counts()
    assert (abs(counts - 1000 * shares / shares.sum()) < 1).all()


# -- segment_customers and choose_k ---------------------------------------------------------


def test_separated_groups_are_found_and_numbered_by_size():
    df, truth = blobs()
    df = df.iloc[5:]  # group 0 now the smallest
    seg = sg.segment_customers(df, ["visits", "carts"], n_segments=3, random_state=1)
    assert adjusted_rand_score(truth[5:], seg.labels) == 1.0
    assert seg.labels.index.equals(df.index)
    assert seg.centres.loc[3, "customers"] == 25
    assert seg.method == "kmeans"
    pd.testing.assert_series_equal(seg.predict(df), seg.labels)


def test_same_seed_same_segments_and_minibatch_agrees():
    df, truth = blobs(50)
    a = sg.segment_customers(df, n_segments=3, random_state=3)
    b = sg.segment_customers(df, n_segments=3, random_state=3)
    pd.testing.assert_series_equal(a.labels, b.labels)
    mini = sg.segment_customers(df, n_segments=3, random_state=3, method="minibatch")
    assert mini.method == "minibatch"
    assert adjusted_rand_score(truth, mini.labels) == 1.0


def test_input_is_not_modified_and_missing_values_are_filled_and_counted():
    df, _ = blobs()
    df.loc[[0, 40], "carts"] = np.nan
    before = df.copy()
    seg = sg.segment_customers(df, ["visits", "carts"], n_segments=3)
    pd.testing.assert_frame_equal(df, before)
    assert seg.preparation.loc["carts", "missing filled"] == 2
    assert seg.preparation.loc["carts", "filled with (median)"] == pytest.approx(
        df["carts"].median()
    )
    with pytest.raises(DataError, match="'carts' has 2 missing"):
        sg.segment_customers(df, ["visits", "carts"], n_segments=3, missing="raise")


def test_an_extreme_customer_is_capped_not_given_a_segment():
    df, truth = blobs(300)  # enough customers for the 99th percentile to be an ordinary value
    df.loc[0, "visits"] = 10_000.0  # a session left open
    seg = sg.segment_customers(df, n_segments=3, random_state=0)
    # The customer is capped to the highest ordinary value, and the three groups are intact.
    assert adjusted_rand_score(truth[1:], seg.labels.iloc[1:]) == 1.0
    assert seg.labels.value_counts().min() >= 299
    raw = sg.segment_customers(df, n_segments=3, random_state=0, clip=None)
    assert (raw.labels.value_counts() == 1).any()  # without capping it is a segment alone


def test_booleans_are_numbers():
    df = pd.DataFrame({"news": [True, False] * 10, "visits": list(range(20))})
    seg = sg.segment_customers(df, n_segments=2)
    assert seg.labels.nunique() == 2


@pytest.mark.parametrize(
    ("frame", "features", "k", "message"),
    [
        (pd.DataFrame({"a": ["x", "y", "z"]}), ["a"], 2, "must hold numbers"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [5, 5, 5]}), ["a", "b"], 2, "same value"),
        (pd.DataFrame({"a": [1.0, 2.0, np.inf]}), ["a"], 2, "infinite"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan] * 3}), ["a", "b"], 2, "missing for every"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), ["a"], 3, "only 3 customers"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), ["a"], 1, "at least 2"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), ["a"], 2.5, "whole number"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), ["vists"], 2, "not a column"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [], 2, "empty"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), ["a", "a"], 2, "twice"),
        (pd.DataFrame({"a": pd.Categorical(["x", "y", "x"])}), ["a"], 2, "category"),
        (pd.DataFrame({"name": ["x", "y", "z"]}), None, 2, "no numeric column"),
        (pd.DataFrame({"a": [1.0]}), ["a"], 2, "at least 2 are needed"),
    ],
)
def test_bad_input_to_segment_customers(frame, features, k, message):
    with pytest.raises(DataError, match=message):
        sg.segment_customers(frame, features, n_segments=k)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"missing": "drop"}, "missing must be"),
        ({"clip": (0.9, 0.1)}, "low < high"),
        ({"clip": "yes"}, "two quantiles"),
        ({"method": "fast"}, "method must be"),
    ],
)
def test_bad_options(kwargs, message):
    df, _ = blobs()
    with pytest.raises(DataError, match=message):
        sg.segment_customers(df, n_segments=3, **kwargs)


def test_choose_k_bad_input():
    df, _ = blobs(5)
    with pytest.raises(DataError, match="only 15 customers"):
        sg.choose_k(df, range(2, 20))
    with pytest.raises(DataError, match="empty"):
        sg.choose_k(df, [])
    with pytest.raises(DataError, match="one group per customer"):
        sg.choose_k(df, [2, 3], reference=[1, 2])
    with pytest.raises(DataError, match="DataFrame"):
        sg.choose_k(df.to_numpy(), [2, 3])


def test_choose_k_finds_three_separated_groups():
    df, truth = blobs()
    table = sg.choose_k(df, range(2, 6), reference=truth)
    assert table["silhouette"].idxmax() == 3
    assert table.loc[3, "adjusted Rand index"] == 1.0
    assert table.loc[3, "inertia drop %"] > 80


# -- profiles ------------------------------------------------------------------------------


def test_profile_hand_computed():
    df = pd.DataFrame({"carts": [1, 1, 4, 6, np.nan], "news": [True, False, True, True, False]})
    table = sg.profile_segments(df, [1, 1, 2, 2, 2], ["carts", "news"])
    # Overall mean carts = 3 (missing left out); segment 2: 5 -> 1.67x. News: 0.6 overall.
    assert table.loc[2, "carts"] == pytest.approx(5 / 3)
    assert table.loc[1, "news"] == pytest.approx(0.5 / 0.6)
    assert table.loc["all customers", "carts"] == 1.0
    assert table["customers"].tolist() == [2, 3, 5]
    means = sg.profile_segments(df, [1, 1, 2, 2, 2], ["carts"], as_ratio=False)
    assert means.loc[2, "carts"] == 5.0 and means.loc["all customers", "carts"] == 3.0


def test_profile_ratio_to_a_zero_average_is_missing():
    df = pd.DataFrame({"a": [0, 0, 0, 0], "b": [1, 2, 3, 4]})
    table = sg.profile_segments(df, ["x", "x", "y", "y"], ["a", "b"])
    assert table["a"].isna().all()


def test_profile_bad_input():
    df = pd.DataFrame({"a": [1, 2, 3], "t": ["u", "v", "w"]})
    with pytest.raises(DataError, match="one segment per customer"):
        sg.profile_segments(df, [1, 2], ["a"])
    with pytest.raises(DataError, match="missing segment"):
        sg.profile_segments(df, [1, None, 2], ["a"])
    with pytest.raises(DataError, match="must hold numbers"):
        sg.profile_segments(df, [1, 1, 2], ["t"])


def test_highlights_name_the_most_striking_ratios(top, segments):
    profile = sg.profile_segments(top, segments.labels, BEHAVIOUR)
    lines = sg.segment_highlights(profile, n=2)
    assert len(lines) == 4 and all(line.count("×") == 2 for line in lines)
    with pytest.raises(DataError, match="profile_segments"):
        sg.segment_highlights(pd.DataFrame({"a": [1]}))
    means = sg.profile_segments(top, segments.labels, ["days_since_last_visit"], as_ratio=False)
    means.loc[1, "days_since_last_visit"] = -1
    with pytest.raises(DataError, match="ratios"):
        sg.segment_highlights(means)


def test_highlights_name_a_ratio_of_zero_first():
    # Nobody in segment 1 has a policy: the most striking trait, not an error.
    profile = pd.DataFrame({"customers": [2, 2], "share of customers": [.5, .5],
                            "policies": [0.0, 2.0], "visits": [0.2, 1.8]}, index=[1, 2])
    assert sg.segment_highlights(profile, n=1).tolist() == ["policies 0.00×", "policies 2.0×"]


# -- regional statistics ---------------------------------------------------------------------


def test_region_join_matches_codes_written_as_numbers():
    customers = pd.DataFrame({"id": [1, 2, 3], "region": [" 11", "53", "11"]})
    regions = pd.DataFrame({"code": [11.0, 53.0], "income": [27400, 22300]})
    out = sg.add_region_stats(customers, regions, on="region", regions_on="code")
    assert out["income"].tolist() == [27400, 22300, 27400]
    assert list(out.columns) == ["id", "region", "income"]
    assert "income" not in customers.columns


def test_unknown_region_codes_raise_or_are_kept_visibly():
    customers = pd.DataFrame({"region_code": ["11", "99", None, "99"]})
    regions = pd.DataFrame({"region_code": ["11"], "income": [27400]})
    with pytest.raises(DataError, match=r"3 customer\(s\).*'99' \(2\).*'\(missing\)' \(1\).*unknown='keep'"):
        sg.add_region_stats(customers, regions)
    kept = sg.add_region_stats(customers, regions, unknown="keep")
    assert kept["income"].isna().tolist() == [False, True, True, True]


def test_region_table_problems():
    customers = pd.DataFrame({"region_code": ["11"], "income": [1]})
    with pytest.raises(DataError, match="appears twice"):
        sg.add_region_stats(customers[["region_code"]], pd.DataFrame({"region_code": ["11", "11"]}))
    with pytest.raises(DataError, match="both in the customers and in regions"):
        sg.add_region_stats(customers, pd.DataFrame({"region_code": ["11"], "income": [2]}))
    with pytest.raises(DataError, match="without a code"):
        sg.add_region_stats(customers[["region_code"]], pd.DataFrame({"region_code": ["11", None]}))
    with pytest.raises(DataError, match="unknown must be"):
        sg.add_region_stats(customers[["region_code"]], pd.DataFrame({"region_code": ["11"]}), unknown="drop")


def test_shipped_regions_cover_every_code_but_abroad(customers):
    unknown = customers.loc[customers["income_per_capita"].isna(), "region_code"]
    assert set(unknown.dropna().astype(str)) == {"99"}


# -- the campaign sample ----------------------------------------------------------------------


def test_allocation_largest_remainder_hand_computed():
    # Exact shares of 7 from sizes 5, 3, 2 (of 10): 3.5, 2.1, 1.4 -> 3, 2, 1 then +1 to 3.5.
    table = sg.sample_allocation(["a"] * 5 + ["b"] * 3 + ["c"] * 2, 7)
    assert table["sampled"].tolist() == [4, 2, 1]
    assert table["exact share"].tolist() == pytest.approx([3.5, 2.1, 1.4])


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=6),
    arms=st.integers(1, 5),
    seed=st.integers(0, 2**16),
    data=st.data(),
)
def test_campaign_sample_laws(sizes, arms, seed, data):
    labels = np.repeat(np.arange(len(sizes)), sizes)
    total = len(labels)
    per_arm = data.draw(st.integers(1, max(1, total // arms)))
    n = per_arm * arms
    if n > total:
        return
    df = pd.DataFrame({"customer_id": [f"C{i}" for i in range(total)]}, index=np.arange(total) * 3)
    plan = sg.campaign_sample(df, labels, n=n, n_arms=arms, random_state=seed)
    assert len(plan) == n and plan.index.is_unique and set(plan.index) <= set(df.index)
    assert (plan["arm"].value_counts() == per_arm).all() and plan["arm"].nunique() == arms
    counts = plan["segment"].value_counts().reindex(range(len(sizes)), fill_value=0)
    exact = n * np.array(sizes) / total
    assert (np.abs(counts.to_numpy() - exact) < 1).all()
    by_arm = pd.crosstab(plan["segment"], plan["arm"])
    assert (by_arm.max(axis=1) - by_arm.min(axis=1) <= 1).all()
    again = sg.campaign_sample(df, labels, n=n, n_arms=arms, random_state=seed)
    pd.testing.assert_frame_equal(plan, again)
    assert (plan["segment"].to_numpy() == labels[plan.index // 3]).all()


def test_campaign_sample_changes_with_the_seed_and_keeps_the_input():
    df = pd.DataFrame({"customer_id": range(100)})
    before = df.copy()
    a = sg.campaign_sample(df, [1] * 60 + [2] * 40, n=20, n_arms=2, random_state=0)
    b = sg.campaign_sample(df, [1] * 60 + [2] * 40, n=20, n_arms=2, random_state=1)
    assert set(a.index) != set(b.index)
    pd.testing.assert_frame_equal(df, before)
    named = sg.campaign_sample(df, [1] * 100, n=20, n_arms=2, arm_names=["blue", "green"])
    assert sorted(named["arm"].unique()) == ["blue", "green"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 101}, "population of 100"),
        ({"n": 0}, "at least 1"),
        ({"n": 12, "n_arms": 5}, "multiple of n_arms"),
        ({"n": 10, "n_arms": 0}, "n_arms"),
        ({"n": 10, "n_arms": 2, "arm_names": ["a", "a"]}, "different names"),
        ({"n": 10, "labels": [1] * 99}, "one segment per customer"),
    ],
)
def test_campaign_sample_bad_input(kwargs, message):
    df = pd.DataFrame({"customer_id": range(100)})
    labels = kwargs.pop("labels", [1] * 50 + [2] * 50)
    with pytest.raises(DataError, match=message):
        sg.campaign_sample(df, labels, **kwargs)


def test_campaign_sample_refuses_to_overwrite_an_arm_column():
    df = pd.DataFrame({"customer_id": range(10), "arm": ["x"] * 10})
    with pytest.raises(DataError, match="already has a column 'arm'"):
        sg.campaign_sample(df, [1] * 10, n=2, n_arms=2)


# -- plots -------------------------------------------------------------------------------------


def test_plots_return_axes(top, segments):
    table = sg.choose_k(top.head(500), [2, 3], features=BEHAVIOUR)
    ax = sg.plot_choose_k(table)
    assert ax.get_xlabel() == "number of segments k" and ax.right_ax is not None
    profile = sg.profile_segments(top, segments.labels, BEHAVIOUR)
    fig, axis = plt.subplots()
    assert sg.plot_segment_profiles(profile, ax=axis, names={1: "first"}) is axis
    assert axis.get_xticklabels()[0].get_text() == "first"
    with pytest.raises(DataError):
        sg.plot_choose_k(pd.DataFrame({"a": [1]}))
    with pytest.raises(DataError):
        sg.plot_segment_profiles(pd.DataFrame({"a": [1]}))
    plt.close("all")


# compare_selections ---------------------------------------------------------------------------


def test_compare_selections_same_budget_and_reference_first():
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0, 1, 0])
    model = np.linspace(1, 0, 10)
    rule = np.array([0, 0, 1, 1, 0, 1, 0, 0, 1, 0])
    table = sg.compare_selections(y, {"rule": rule, "model": model}, n=4)
    assert table.index.tolist() == ["rule", "model"]
    assert table["customers"].tolist() == [4, 4]
    assert table.loc["rule", "difference"] == 0
    positives = table["positives"]
    assert table.loc["model", "difference"] == positives["model"] - positives["rule"]
    assert (table["difference low"] <= table["difference"]).all()
    assert (table["difference high"] >= table["difference"]).all()


def test_compare_selections_breaks_ties_at_random_not_by_file_order():
    y = np.r_[np.ones(50), np.zeros(50)]
    flat = np.zeros(100)  # every customer tied: file order would pick all 50 buyers
    table = sg.compare_selections(y, {"flat": flat}, n=50, random_state=0)
    assert 10 < table.loc["flat", "positives"] < 40
    again = sg.compare_selections(y, {"flat": flat}, n=50, random_state=0)
    assert again.equals(table)


def test_compare_selections_reads_yes_no_and_refuses_bad_input():
    y = ["Oui", "Non", "Oui", "Non"]
    table = sg.compare_selections(y, {"s": [0.9, 0.1, 0.8, 0.2]}, n=2)
    assert table.loc["s", "positives"] == 2
    with pytest.raises(DataError, match="more than"):
        sg.compare_selections(y, {"s": [1, 2, 3, 4]}, n=5)
    with pytest.raises(DataError, match="values for"):
        sg.compare_selections(y, {"s": [1, 2, 3]}, n=2)
    with pytest.raises(DataError, match="missing"):
        sg.compare_selections(y, {"s": [1, np.nan, 3, 4]}, n=2)
    with pytest.raises(DataError, match="empty"):
        sg.compare_selections(y, {}, n=2)


def test_plot_segment_profiles_draws_a_ratio_of_zero():
    # A segment where nobody has the product (a real file: no car policy at all) has ratio 0.
    profile = pd.DataFrame({"customers": [2, 2], "share of customers": [.5, .5],
                            "policies": [0.0, 2.0], "visits": [0.5, 1.5]}, index=[1, 2])
    ax = sg.plot_segment_profiles(profile)
    assert "0.00×" in [t.get_text() for t in ax.texts]
    plt.close("all")
    with pytest.raises(DataError, match="ratios"):
        sg.plot_segment_profiles(profile.assign(visits=[-1.0, 1.0]))


# The personas as the course writes them: the profile each one is expected to show.
PERSONA_PROFILES = {
    "deal hunters": {"cart_abandonment_rate": "high", "mobile_share": "high", "email_clicks_90d": "high"},
    "loyal regulars": {"orders_12m": "high", "mobile_share": "low"},
    "researchers": {"minutes_on_site_90d": "high", "pages_per_session": "high", "email_clicks_90d": "low"},
    "mobile newcomers": {"orders_12m": "low", "mobile_share": "high", "email_clicks_90d": "low"},
}


# k = 3 merges deal hunters and mobile newcomers (fits neither); k = 5 splits the deal hunters.
@pytest.mark.parametrize(("k", "n_named"), [(3, 2), (4, 4), (5, 4)])
def test_personas_follow_the_profiles_for_any_number_of_segments(top, truth, k, n_named):
    segments = sg.segment_customers(top, BEHAVIOUR, n_segments=k, random_state=0)
    profile = sg.profile_segments(top, segments.labels, BEHAVIOUR)
    matches = sg.match_personas(profile, PERSONA_PROFILES)
    assert list(matches.index) == list(range(1, k + 1))
    named = matches["persona"].dropna()
    assert named.is_unique and len(named) == n_named
    # Judged by the planted personas: a segment is given the name of most of its customers.
    planted = pd.Series(truth["persona"][top.index], index=top.index)
    for segment, name in named.items():
        assert planted[segments.labels == segment].value_counts().idxmax() == name
        assert all(column in matches.loc[segment, "evidence"] for column in PERSONA_PROFILES[name])
    assert (matches.loc[matches["persona"].isna(), "evidence"] == "").all()


def test_personas_do_not_depend_on_the_order_of_the_segments():
    profile = pd.DataFrame({"customers": [5, 3, 2], "share of customers": [.5, .3, .2],
                            "carts": [1.6, 0.5, 0.9], "orders": [0.6, 2.0, 1.3]}, index=[1, 2, 3])
    personas = {"browsers": {"carts": "high"}, "loyal": {"orders": "high"}}
    matches = sg.match_personas(profile, personas)
    assert matches["persona"].fillna("none").tolist() == ["browsers", "loyal", "none"]
    reordered = sg.match_personas(profile.loc[[3, 2, 1]], personas)
    assert reordered["persona"].fillna("none").tolist() == ["none", "loyal", "browsers"]
    # Segment 3 (orders 1.3×) fits "loyal" too, but segment 2 fits it more strongly.
    assert sg.match_personas(profile.loc[[1, 3]], personas)["persona"].tolist() == ["browsers", "loyal"]
    # Not far enough from the average, or a column the file lacks: no persona.
    assert sg.match_personas(profile, personas, min_ratio=2.5)["persona"].isna().all()
    assert sg.match_personas(profile, {"mobile": {"mobile_share": "high"}})["persona"].isna().all()


def test_match_personas_refuses_bad_input():
    profile = pd.DataFrame({"customers": [5, 5], "share of customers": [.5, .5], "carts": [1.5, 0.5]},
                           index=[1, 2])
    with pytest.raises(DataError, match="profile_segments"):
        sg.match_personas(pd.DataFrame({"carts": [1.5]}), {"a": {"carts": "high"}})
    with pytest.raises(DataError, match="'high'"):
        sg.match_personas(profile, {"a": {"carts": "up"}})
    with pytest.raises(DataError, match="at least one column"):
        sg.match_personas(profile, {"a": {}})
    with pytest.raises(DataError, match="dict"):
        sg.match_personas(profile, [("a", {"carts": "high"})])
    with pytest.raises(DataError, match="min_ratio"):
        sg.match_personas(profile, {"a": {"carts": "high"}}, min_ratio=0.8)
    means = profile.copy()
    means.loc[1, "carts"] = -1
    with pytest.raises(DataError, match="ratios"):
        sg.match_personas(means, {"a": {"carts": "high"}})
