"""Tests of mlmarketing.media and of the media dataset's planted truth."""

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
from mlmarketing import media as m
from mlmarketing.simulate import generate, planted_truth

# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def media():
    return load_dataset("media")


@pytest.fixture(scope="module")
def truth():
    return planted_truth("media")


@pytest.fixture(scope="module")
def curves(media):
    return m.fit_response_curves(media, controls=["season", "promotion"])


@pytest.fixture(scope="module")
def last_year(media):
    recent = media[media["week"] > media["week"].max() - pd.Timedelta(weeks=52)]
    return recent.groupby("channel", observed=True)["spend"].mean()


def small_plan() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": ["search", "search", "tv", "email"],
            "spend": [100.0, 300.0, 5000.0, 0.0],
            "impressions": [1000, 3000, 200_000, 500],
            "clicks": [50, 150, None, 0],
            "conversions": [4, 6, 20, 0],
            "revenue": [400.0, 600.0, 1000.0, 0.0],
        }
    )


def weekly(n_weeks: int = 60, seed: int = 0) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    weeks = pd.date_range("2024-01-01", periods=n_weeks, freq="W-MON")
    rows = []
    total = 1000 + gen.normal(0, 5, n_weeks)
    for name in ["a", "b"]:
        spend = gen.uniform(100, 1000, n_weeks).round()
        total = total + 200 * spend / (spend + 400)
        rows.append(pd.DataFrame({"week": weeks, "channel": name, "spend": spend}))
    table = pd.concat(rows, ignore_index=True)
    table["conversions"] = np.tile(total.round(), 2)
    return table


# ---------------------------------------------------------------------------- KPIs


def test_media_kpis_hand_computed_values():
    kpis = m.media_kpis(small_plan())
    search = kpis.loc["search"]
    assert search["spend"] == 400 and search["clicks"] == 200
    assert search["CTR"] == pytest.approx(200 / 4000)
    assert search["CPC"] == pytest.approx(2.0)
    assert search["CPM"] == pytest.approx(100.0)
    assert search["conversion rate"] == pytest.approx(10 / 200)
    assert search["CPA"] == pytest.approx(40.0)
    assert search["ROAS"] == pytest.approx(2.5)
    assert kpis.loc["tv", "CPM"] == pytest.approx(25.0)
    assert kpis.loc["tv", "CPA"] == pytest.approx(250.0)


def test_media_kpis_zero_or_unknown_denominator_is_missing_not_infinite():
    kpis = m.media_kpis(small_plan())
    # email: no spend, no click, no conversion; tv: clicks unknown.
    email = kpis.loc["email", ["CPC", "conversion rate", "CPA", "ROAS"]].astype(float)
    assert np.isnan(email).all()
    assert np.isnan(kpis.loc["tv", ["CTR", "CPC", "conversion rate"]].astype(float)).all()
    assert not np.isinf(kpis.select_dtypes("number").to_numpy()).any()


def test_media_kpis_uses_only_rows_where_both_numbers_are_known():
    plan = small_plan()
    plan.loc[1, "clicks"] = None  # second search week: clicks unknown
    kpis = m.media_kpis(plan)
    assert kpis.loc["search", "CTR"] == pytest.approx(50 / 1000)
    assert kpis.loc["search", "CPC"] == pytest.approx(100 / 50)


def test_media_kpis_whole_table_optional_columns_and_reach():
    plan = small_plan().assign(reach=[500, 1000, 100_000, 400])
    kpis = m.media_kpis(plan, by=None, clicks=None, revenue=None, reach="reach")
    assert list(kpis.index) == ["all"]
    assert "CTR" not in kpis and "ROAS" not in kpis
    assert kpis.loc["all", "cost per 1,000 reached"] == pytest.approx(5400 / 101_900 * 1000)


def test_media_kpis_does_not_modify_the_callers_frame():
    plan = small_plan()
    before = plan.copy()
    m.media_kpis(plan)
    pd.testing.assert_frame_equal(plan, before)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.assign(spend=[-1.0, 300.0, 5000.0, 0.0]), "negative"),
        (lambda d: d.assign(clicks=[5000, 150, None, 0]), "more clicks"),
        (lambda d: d.rename(columns={"spend": "cost"}), "spend column 'spend'"),
        (lambda d: d.assign(impressions=["1 000", "x", "2", "3"]), "must hold numbers"),
    ],
)
def test_media_kpis_bad_input(change, message):
    with pytest.raises(DataError, match=message):
        m.media_kpis(change(small_plan()))


def test_media_kpis_rejects_a_non_frame():
    with pytest.raises(DataError, match="DataFrame"):
        m.media_kpis([1, 2, 3])


@settings(max_examples=10, deadline=None)
@given(st.floats(0.01, 100.0))
def test_media_kpis_scale_with_prices(factor):
    base = m.media_kpis(small_plan())
    dearer = m.media_kpis(small_plan().assign(spend=lambda d: d["spend"] * factor))
    for kpi in ["CPC", "CPM", "CPA"]:
        np.testing.assert_allclose(dearer[kpi], base[kpi] * factor, rtol=1e-9)
    np.testing.assert_allclose(dearer["ROAS"], base["ROAS"] / factor, rtol=1e-9)
    np.testing.assert_allclose(dearer["CTR"], base["CTR"])


def test_media_kpis_on_the_shipped_data_ranking_changes_with_the_kpi(media):
    kpis = m.media_kpis(media, conversions="reported_conversions", revenue="reported_revenue")
    assert len(kpis) == 8
    assert kpis["CPM"].idxmin() == "email" and kpis["CTR"].idxmax() == "search"
    assert kpis["CPA"].idxmin() == "email" and kpis["CPA"].idxmax() == "ooh"
    assert kpis.loc[["tv", "radio", "ooh"], "CTR"].isna().all()


# ---------------------------------------------------------------------------- reach


def test_reach_frequency_closed_forms():
    even = m.reach_frequency(impressions=2_000_000, audience=1_000_000)
    assert even["GRP"] == pytest.approx(200)
    assert even["reach"] == pytest.approx(1 - np.exp(-2))
    assert even["average frequency"] == pytest.approx(2 / (1 - np.exp(-2)))
    concentrated = m.reach_frequency(grp=300, concentration=1.0, frequency=2)
    assert concentrated["reach"] == pytest.approx(3 / 4)  # 1 - 1/(1+m) with m = 3
    assert concentrated["share at frequency"] == pytest.approx((3 / 4) ** 2)  # geometric law


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"impressions": 10, "audience": 0},
        {"impressions": -1, "audience": 10},
        {"grp": 100, "frequency": 0},
        {"grp": 100, "concentration": -1},
    ],
)
def test_reach_frequency_bad_input(kwargs):
    with pytest.raises(DataError):
        m.reach_frequency(**kwargs)


def test_cost_for_frequency_matches_closed_forms():
    # Geometric law (concentration 1): average frequency among the reached is 1 + m.
    geometric = m.cost_for_frequency(audience=2_000_000, cpm=8.0, frequency=7, concentration=1)
    assert geometric["impressions"] == pytest.approx(12_000_000, rel=1e-9)
    assert geometric["cost"] == pytest.approx(96_000, rel=1e-9)
    # Even spreading: m / (1 - exp(-m)) = 7.
    even = m.cost_for_frequency(audience=1_000_000, cpm=10.0, frequency=7)
    mean = even["mean exposures"]
    assert mean / (1 - np.exp(-mean)) == pytest.approx(7, rel=1e-9)
    assert even["cost"] == pytest.approx(mean * 1_000_000 / 1000 * 10)
    # An average of 7 leaves many people below 7 exposures.
    assert 0.5 < even["share at frequency"] < 0.6


def test_cost_for_frequency_share_goal():
    plan = m.cost_for_frequency(audience=1_000_000, cpm=5.0, frequency=7, share_at_frequency=0.8)
    assert plan["share at frequency"] == pytest.approx(0.8, abs=1e-9)
    average_goal = m.cost_for_frequency(audience=1_000_000, cpm=5.0, frequency=7)
    assert plan["cost"] > average_goal["cost"]


@settings(max_examples=30, deadline=None)
@given(st.floats(1e3, 1e8), st.floats(0.5, 100.0), st.floats(1.5, 15.0),
       st.sampled_from([None, 0.5, 2.0]))
def test_cost_for_frequency_is_proportional_to_audience_and_cpm(audience, cpm, frequency, r):
    one = m.cost_for_frequency(audience, cpm, frequency, concentration=r)
    double = m.cost_for_frequency(2 * audience, 3 * cpm, frequency, concentration=r)
    assert double["cost"] == pytest.approx(6 * one["cost"], rel=1e-6)
    assert one["average frequency"] == pytest.approx(frequency, rel=1e-6)
    more = m.cost_for_frequency(audience, cpm, frequency + 1, concentration=r)
    assert more["cost"] > one["cost"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"audience": 0, "cpm": 5},
        {"audience": 100, "cpm": 0},
        {"audience": 100, "cpm": 5, "frequency": 1},
        {"audience": 100, "cpm": 5, "share_at_frequency": 1.0},
        {"audience": 100, "cpm": 5, "frequency": 2.5, "share_at_frequency": 0.5},
    ],
)
def test_cost_for_frequency_bad_input(kwargs):
    with pytest.raises(DataError):
        m.cost_for_frequency(**kwargs)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.05, 10.0), st.floats(0.1, 20.0))
def test_exposure_concentration_inverts_the_reach_model(r, mean):
    reach = m.reach_frequency(grp=100 * mean, concentration=r)["reach"] * 1_000_000
    estimate = m.exposure_concentration(mean * 1_000_000, reach, 1_000_000)
    back = m.reach_frequency(grp=100 * mean, concentration=estimate)["reach"] * 1_000_000
    assert back == pytest.approx(reach, rel=1e-6)


def test_exposure_concentration_even_spreading_and_bad_input():
    poisson_reach = (1 - np.exp(-2)) * 1000
    assert np.isinf(m.exposure_concentration(2000, poisson_reach, 1000))
    with pytest.raises(DataError, match="above impressions"):
        m.exposure_concentration(100, 200, 1000)
    with pytest.raises(DataError, match="above the audience"):
        m.exposure_concentration(5000, 2000, 1000)


def test_reach_model_matches_the_planted_concentration(media, truth):
    tv = media[(media["channel"] == "tv") & (media["spend"] > 0)]
    estimates = [m.exposure_concentration(i, r, truth["audience"])
                 for i, r in zip(tv["impressions"], tv["reach"], strict=True)]
    assert np.median(estimates) == pytest.approx(truth["response"].loc["tv", "concentration"],
                                                 rel=0.25)


# ---------------------------------------------------------------------------- curves


def test_adstock_hand_computed_and_keeps_the_index():
    assert m.adstock([100.0, 0.0, 0.0], 0.5).tolist() == [50.0, 25.0, 12.5]
    assert m.adstock([10.0, 10.0], 0.3, initial=10.0).tolist() == pytest.approx([10.0, 10.0])
    series = pd.Series([1.0, 2.0], index=["w1", "w2"])
    assert list(m.adstock(series, 0.2).index) == ["w1", "w2"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e5), min_size=1, max_size=20), st.floats(0, 0.9))
def test_adstock_spreads_each_euro_once(spend, decay):
    # With a long tail of zero weeks, the carried-over spend adds up to the spend.
    padded = np.r_[spend, np.zeros(600)]
    assert m.adstock(padded, decay).sum() == pytest.approx(sum(spend), rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("kwargs", [{"decay": 1.0}, {"decay": -0.1}])
def test_adstock_bad_decay(kwargs):
    with pytest.raises(DataError, match="decay"):
        m.adstock([1.0, 2.0], **kwargs)


def test_adstock_and_saturation_reject_negative_or_missing_spend():
    with pytest.raises(DataError):
        m.adstock([1.0, -2.0], 0.5)
    with pytest.raises(DataError):
        m.adstock([1.0, np.nan], 0.5)
    with pytest.raises(DataError):
        m.saturation([-1.0], 10.0)
    with pytest.raises(DataError):
        m.saturation([1.0], 0.0)


@settings(max_examples=50, deadline=None)
@given(st.floats(1.0, 1e6), st.floats(0.5, 3.0))
def test_saturation_is_half_at_half_saturation_and_increasing(half, shape):
    grid = np.linspace(0, 5 * half, 50)
    values = m.saturation(grid, half, shape)
    assert m.saturation([half], half, shape)[0] == pytest.approx(0.5)
    assert (np.diff(values) > 0).all() and values[0] == 0 and values[-1] < 1


def test_fit_recovers_the_planted_curves(curves, truth):
    """Stated tolerances on the shipped data (noise sd 40 conversions, 104 weeks)."""
    fitted, planted = curves.params, truth["response"].loc[curves.params.index]
    assert (fitted["decay"] - planted["decay"]).abs().max() <= 0.1
    ratio = fitted["half saturation"] / planted["half_saturation"]
    assert ratio.between(0.5, 2.0).all()
    assert (fitted["effect"] / planted["effect"]).between(0.8, 1.25).all()
    contributions = curves.contributions.sum() / truth["contributions"].sum()
    assert contributions.between(0.7, 1.4).all()
    assert curves.r2 > 0.95
    assert curves.controls["promotion"] == pytest.approx(truth["promotion_effect"], rel=0.1)


def test_incremental_cpa_differs_from_reported_cpa(curves, media):
    reported = m.media_kpis(media, conversions="reported_conversions", revenue=None)["CPA"]
    incremental = curves.summary()["incremental CPA"]
    # Platforms over-credit email and display, under-credit TV.
    assert incremental["email"] > 2 * reported["email"]
    assert incremental["display"] > 2 * reported["display"]
    assert incremental["tv"] < reported["tv"] / 5


def test_fit_does_not_modify_the_callers_frame():
    table = weekly()
    before = table.copy()
    fit = m.fit_response_curves(table, target="conversions")
    pd.testing.assert_frame_equal(table, before)
    assert list(fit.params.index) == ["a", "b"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d[d["week"] != d["week"].unique()[10]], "week is missing"),
        (lambda d: d.drop(index=5), "no row for week"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), "several rows"),
        (lambda d: d.assign(spend=np.where(d["channel"] == "b", 50.0, d["spend"])), "same every"),
        (lambda d: d.assign(spend=-d["spend"]), "negative"),
        (lambda d: d.assign(conversions=np.arange(len(d))), "weekly total"),
        (lambda d: d[d["week"] < d["week"].unique()[12]], "too few"),
        (lambda d: d.assign(spend=d["spend"].where(d.index != 3)), "missing value"),
    ],
)
def test_fit_bad_input(change, message):
    with pytest.raises(DataError, match=message):
        m.fit_response_curves(change(weekly()), target="conversions")


def test_fit_bad_options():
    with pytest.raises(DataError, match="target column"):
        m.fit_response_curves(weekly(), target="sales")
    with pytest.raises(DataError, match="max_decay"):
        m.fit_response_curves(weekly(), target="conversions", max_decay=1.0)


# ---------------------------------------------------------------------------- budget


def two_channels() -> pd.DataFrame:
    return pd.DataFrame({"half saturation": [10.0, 30.0], "effect": [100.0, 200.0]},
                        index=["a", "b"])


def test_allocation_equalises_marginal_cpa_and_respects_the_budget():
    plan = m.allocate_budget(two_channels(), 50.0)
    assert plan["weekly spend"].sum() == pytest.approx(50.0)
    assert plan["marginal CPA"]["a"] == pytest.approx(plan["marginal CPA"]["b"], rel=1e-4)
    # Closed form for two Michaelis-Menten curves: E_a K_a/(x+K_a)^2 = E_b K_b/(50-x+K_b)^2.
    x = plan.loc["a", "weekly spend"]
    assert 100 * 10 / (x + 10) ** 2 == pytest.approx(200 * 30 / (50 - x + 30) ** 2, rel=1e-4)


@settings(max_examples=25, deadline=None)
@given(st.floats(10, 1000), st.floats(0, 0.3), st.floats(0.5, 1.0))
def test_allocation_stays_within_bounds_and_beats_random_splits(budget, low, high):
    curves = two_channels()
    plan = m.allocate_budget(curves, budget, min_spend=low * budget, max_spend=high * budget)
    spend = plan["weekly spend"]
    assert spend.sum() == pytest.approx(budget, rel=1e-6)
    assert (spend >= low * budget - 1e-6).all() and (spend <= high * budget + 1e-6).all()
    best = m.expected_conversions(curves, spend).sum()
    for share in np.linspace(max(low, 1 - high), min(high, 1 - low), 7):
        other = pd.Series({"a": share * budget, "b": (1 - share) * budget})
        assert best >= m.expected_conversions(curves, other).sum() - 1e-6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_spend": 30.0}, "minimums add up"),
        ({"max_spend": 10.0}, "maximums add up"),
        ({"min_spend": {"c": 1.0}}, "no response curve"),
        ({"min_spend": {"a": 20.0}, "max_spend": {"a": 10.0}}, "min_spend above"),
    ],
)
def test_allocation_bad_bounds(kwargs, message):
    with pytest.raises(DataError, match=message):
        m.allocate_budget(two_channels(), 50.0, **kwargs)


def test_allocation_bad_curves_and_budget():
    with pytest.raises(DataError):
        m.allocate_budget(two_channels(), -5.0)
    with pytest.raises(DataError, match="half saturation"):
        m.allocate_budget(pd.DataFrame({"effect": [1.0]}), 5.0)
    with pytest.raises(DataError, match="no value for channel"):
        m.expected_conversions(two_channels(), {"a": 1.0})


def test_split_by_ranking_fills_the_best_ranked_first():
    split = m.split_by_ranking(["b", "a", "c"], 100.0, min_spend=10.0, max_spend=60.0)
    assert split.to_dict() == {"b": 60.0, "a": 30.0, "c": 10.0}
    with pytest.raises(DataError, match="once"):
        m.split_by_ranking(["a", "a"], 10.0)


def test_recommended_allocation_is_near_the_true_best(curves, truth, last_year, media):
    """On the shipped data, judged with the planted true curves."""
    total = last_year.sum()
    bounds = {"min_spend": 0.5 * last_year, "max_spend": 2 * last_year}
    recommended = m.allocate_budget(curves, total, **bounds)["weekly spend"]
    true_best = m.allocate_budget(truth["response"], total, **bounds)["weekly spend"]
    reported_cpa = m.media_kpis(
        media, conversions="reported_conversions", revenue="reported_revenue"
    )["CPA"]
    rule = m.split_by_ranking(reported_cpa.sort_values().index, total, **bounds)

    def value(split):
        return m.expected_conversions(truth["response"], split).sum()

    assert value(recommended) >= 0.95 * value(true_best)
    assert value(recommended) > value(last_year)
    assert value(recommended) > value(rule)
    assert value(true_best) >= value(recommended) - 1e-6


# ---------------------------------------------------------------------------- plots


def test_plots_return_axes(curves, media):
    kpis = m.media_kpis(media, conversions="reported_conversions", revenue=None)
    ax = m.plot_kpi(kpis, "CPA")
    assert len(ax.patches) == 8
    _, given_ax = plt.subplots()
    assert m.plot_response_curves(curves, mark=curves.spend.mean(), ax=given_ax) is given_ax
    with pytest.raises(DataError):
        m.plot_kpi(kpis, "CPX")
    plt.close("all")


def test_summary_is_a_labelled_table(curves):
    summary = curves.summary()
    assert isinstance(summary, pd.DataFrame) and summary.index.name == "channel"
    assert list(summary.columns) == ["spend", "incremental conversions", "incremental CPA",
                                     "share of conversions"]
    assert list(curves.params.columns) == ["decay", "half saturation", "effect", "shape"]


def test_public_signatures_follow_the_vocabulary():
    import inspect

    for name in m.__all__:
        helper = getattr(m, name)
        if not inspect.isfunction(helper):
            continue
        parameters = inspect.signature(helper).parameters
        assert not {"confidence", "alpha", "unit", "seed"} & set(parameters), name
        if "ax" in parameters:
            assert parameters["ax"].kind is inspect.Parameter.KEYWORD_ONLY, name
            assert parameters["ax"].default is None, name


def test_result_columns_are_spaced_words_or_kpi_acronyms(curves, media):
    tables = [
        m.media_kpis(media, conversions="reported_conversions", revenue="reported_revenue",
                     reach="reach"),
        curves.summary(),
        curves.params,
        m.allocate_budget(curves, 100_000.0),
    ]
    for table in tables:
        for column in table.columns:
            words = str(column).split(" ")
            assert "_" not in str(column), column
            assert all(w == w.lower() or w.isupper() for w in words), column


# ---------------------------------------------------------------------------- generator


def test_generator_is_reproducible_and_shaped():
    one = generate("media", n_weeks=20).tables["01-04-Media.csv"]
    two = generate("media", n_weeks=20).tables["01-04-Media.csv"]
    pd.testing.assert_frame_equal(one, two)
    assert one.shape == (160, 12)
    assert (one["clicks"].dropna() <= one["impressions"][one["clicks"].notna()]).all()


def test_shipped_totals_are_baseline_plus_contributions(media, truth):
    totals = media.groupby("week")["total_conversions"].first()
    expected = truth["baseline"] + truth["contributions"].sum(axis=1)
    residual = totals.to_numpy() - expected.to_numpy()
    assert abs(residual.mean()) < 15
    assert residual.std() == pytest.approx(truth["noise_sd"], rel=0.25)


# ---------------------------------------------------------------------------- holdout, months, intervals


def test_monthly_periods_are_evenly_spaced_on_the_calendar():
    table = weekly(40)
    months = dict(zip(table["week"].unique(), pd.date_range("2020-01-01", periods=40, freq="MS"),
                      strict=True))
    table["week"] = table["week"].map(months)
    fit = m.fit_response_curves(table, target="conversions")
    assert fit.r2 > 0.9
    with pytest.raises(DataError, match="evenly spaced"):
        m.fit_response_curves(table[table["week"] != table["week"].unique()[20]],
                              target="conversions")


def test_calibration_end_holds_the_last_weeks_out():
    table = weekly(60)
    cut = table["week"].unique()[44]
    fit = m.fit_response_curves(table, target="conversions", calibration_end=cut)
    held = fit.holdout()
    assert len(held) == 15 and (held.index > cut).all()
    assert fit.holdout_r2 == pytest.approx(
        1 - (held["error"] ** 2).sum() / ((held["conversions"] - held["conversions"].mean()) ** 2).sum())
    assert fit.holdout_r2 > 0.5
    assert np.isnan(m.fit_response_curves(table, target="conversions").holdout_r2)
    with pytest.raises(DataError, match="too few"):
        m.fit_response_curves(table, target="conversions", calibration_end=table["week"].min())


@pytest.mark.parametrize("method", ["blocks", "residuals"])
def test_incremental_cpa_intervals_hold_the_estimate(curves, method):
    table = m.incremental_cpa_intervals(curves, n_resamples=5, method=method)
    assert list(table.columns) == ["incremental CPA", "low", "high"]
    assert (table["low"] <= table["high"]).all()
    assert table.index.name == "channel"
    again = m.incremental_cpa_intervals(curves, n_resamples=5, method=method)
    pd.testing.assert_frame_equal(table, again)  # the same random_state, the same intervals
    with pytest.raises(DataError):
        m.incremental_cpa_intervals(curves.params)


def test_incremental_cpa_intervals_refuse_a_bad_method_or_block(curves):
    with pytest.raises(DataError, match="'blocks' or 'residuals'"):
        m.incremental_cpa_intervals(curves, method="weeks")
    with pytest.raises(DataError, match="block_length"):
        m.incremental_cpa_intervals(curves, block_length=500)
    with pytest.raises(DataError, match="block_length"):
        m.incremental_cpa_intervals(curves, block_length=0)


def test_week_block_intervals_cover_the_planted_truth(curves, truth):
    # A bootstrap of the fit's own errors missed the truth in 3 of the 8 channels here: the fit
    # (29 parameters, 96 weeks) leaves errors smaller than the noise. Week blocks do not lean on them.
    table = m.incremental_cpa_intervals(curves, n_resamples=60, method="blocks")
    true = curves.spend.sum() / truth["contributions"].sum()
    outside = (true < table["low"]) | (true > table["high"])
    assert outside.sum() <= 1, outside[outside].index.tolist()
