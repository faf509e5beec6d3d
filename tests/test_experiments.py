"""Tests of mlmarketing.experiments: A/B test tables, power, bandit replays, plots."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    proportion_confint,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)

from mlmarketing import DataError, load_dataset
from mlmarketing.experiments import (
    POLICIES,
    campaign_return,
    chi_square_test,
    compare_arms,
    compare_counts,
    funnel_report,
    overall_test,
    plot_arms,
    plot_bandit,
    plot_funnel,
    plot_power_curve,
    power_curve,
    rate_table,
    sample_size,
    sample_size_table,
    simulate_bandit,
    summarise_bandit,
    time_to_event,
)
from mlmarketing.simulate import planted_truth
from mlmarketing.simulate.campaign import simulate_campaign

STEPS = {
    "delivered": "delivered",
    "opened": "opened_at",
    "clicked": "clicked_at",
    "converted": "purchased_at",
}


@pytest.fixture(scope="module")
def campaign() -> pd.DataFrame:
    return load_dataset("campaign")


@pytest.fixture(scope="module")
def truth() -> dict:
    return planted_truth("campaign")


def small_frame() -> pd.DataFrame:
    sent = pd.to_datetime(["2019-06-03 09:00"] * 6)
    return pd.DataFrame(
        {
            "creative": ["A", "A", "A", "B", "B", "B"],
            "delivered": [True, True, False, True, True, True],
            "opened_at": sent + pd.to_timedelta([1, np.nan, np.nan, 2, 3, np.nan], unit="h"),
            "clicked_at": sent
            + pd.to_timedelta([1.5, np.nan, np.nan, 2.5, np.nan, np.nan], unit="h"),
            "amount": [120.0, np.nan, np.nan, 80.0, np.nan, np.nan],
            "sent_at": sent,
        }
    )


# --------------------------------------------------------------------------- funnel


def test_funnel_report_counts_rates_and_wilson_intervals():
    df = small_frame()
    before = df.copy()
    report = funnel_report(df, "creative", ["delivered", "opened_at", "clicked_at"])
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is not modified
    a = report[report["creative"] == "A"].set_index("step")
    assert a["count"].tolist() == [3, 2, 1, 1]
    assert a.loc["opened_at", "rate of previous step"] == pytest.approx(0.5)
    low, high = proportion_confint(1, 3, method="wilson")
    assert a.loc["clicked_at", "rate low"] == pytest.approx(low)
    assert a.loc["clicked_at", "rate high"] == pytest.approx(high)
    b = report[report["creative"] == "B"].set_index("step")
    assert b["count"].tolist() == [3, 3, 2, 1]


def test_funnel_report_on_shipped_data_is_monotone(campaign):
    report = funnel_report(campaign, "creative", STEPS)
    assert list(report["step"].unique()) == ["sent", *STEPS]
    for _, part in report.groupby("creative", observed=True):
        assert part["count"].is_monotonic_decreasing
    assert report.groupby("step", sort=False)["count"].sum().loc["sent"] == len(campaign)


def test_funnel_report_rejects_a_click_without_an_open():
    df = small_frame()
    df.loc[1, "clicked_at"] = df.loc[1, "sent_at"] + pd.Timedelta(hours=1)
    message = "1 row\\(s\\) reached step 'clicked_at' without step 'opened_at'"
    with pytest.raises(DataError, match=message):
        funnel_report(df, "creative", ["opened_at", "clicked_at"])


def test_funnel_report_rejects_a_click_before_the_open():
    df = small_frame()
    df.loc[0, "clicked_at"] = df.loc[0, "opened_at"] - pd.Timedelta(minutes=5)
    with pytest.raises(DataError, match="earlier than 'opened_at'"):
        funnel_report(df, "creative", ["opened_at", "clicked_at"])


def test_funnel_report_bad_columns_and_missing_arms():
    df = small_frame()
    with pytest.raises(DataError, match="Did you mean 'opened_at'"):
        funnel_report(df, "creative", ["opend_at"])
    df.loc[0, "creative"] = None
    with pytest.raises(DataError, match="1 missing value"):
        funnel_report(df, "creative", ["opened_at"])
    with pytest.raises(DataError, match="steps is empty"):
        funnel_report(small_frame(), "creative", [])
    with pytest.raises(DataError, match="DataFrame"):
        funnel_report([1, 2], "creative", ["opened_at"])


def test_campaign_return():
    table = campaign_return(small_frame(), "creative", "amount", cost_per_email=0.5)
    assert table.loc["A", "sales"] == 1
    assert table.loc["A", "revenue (€)"] == pytest.approx(120.0)
    assert table.loc["A", "profit per email (€)"] == pytest.approx((120 - 1.5) / 3)
    assert table.loc["B", "cost (€)"] == pytest.approx(1.5)


def test_campaign_return_bad_input():
    df = small_frame()
    df.loc[0, "amount"] = -10.0
    with pytest.raises(DataError, match="negative"):
        campaign_return(df, "creative", "amount")
    df["amount"] = "lots"
    with pytest.raises(DataError, match="must hold numbers"):
        campaign_return(df, "creative", "amount")
    with pytest.raises(DataError, match="cost_per_email"):
        campaign_return(small_frame(), "creative", "amount", cost_per_email=-1)


# --------------------------------------------------------------------------- comparisons


def test_compare_counts_agrees_with_statsmodels():
    successes = {"A": 6, "B": 10, "C": 4, "D": 11}
    trials = {"A": 200, "B": 200, "C": 200, "D": 190}
    table = compare_counts(successes, trials, control="A")
    raw = [proportions_ztest([successes[a], 6], [trials[a], 200])[1] for a in "BCD"]
    assert table.loc[["B", "C", "D"], "p-value"].tolist() == pytest.approx(raw)
    holm = multipletests(raw, method="holm")[1]
    assert table.loc[["B", "C", "D"], "p-value (holm)"].tolist() == pytest.approx(list(holm))
    assert table.loc["D", "difference"] == pytest.approx(11 / 190 - 6 / 200)
    assert table.loc["B", "relative lift"] == pytest.approx(10 / 6 - 1)
    assert np.isnan(table.loc["A", "p-value"])
    low, high = proportion_confint(11, 190, method="wilson")
    assert (table.loc["D", "rate low"], table.loc["D", "rate high"]) == pytest.approx((low, high))
    assert not table["significant"].any()


def test_compare_counts_hand_computed_z_test():
    # 6/200 against 10/200: pooled rate 0.04, standard error sqrt(0.04 * 0.96 * 2 / 200)
    # = 0.019596, z = 0.02 / 0.019596 = 1.0206, two-sided p = 0.3074.
    table = compare_counts({"A": 6, "B": 10}, {"A": 200, "B": 200})
    assert table.loc["B", "p-value"] == pytest.approx(0.3074, abs=5e-4)
    assert table.loc["B", "difference"] == pytest.approx(0.02)


# statsmodels' Holm correction runs a garbage collection at each call: keep examples few.
@settings(max_examples=15, deadline=None)
@given(data=st.lists(st.tuples(st.integers(1, 500), st.floats(0.0, 1.0)), min_size=2, max_size=6))
def test_compare_counts_laws(data):
    trials = {f"arm {i}": n for i, (n, _) in enumerate(data)}
    successes = {f"arm {i}": int(round(n * share)) for i, (n, share) in enumerate(data)}
    table = compare_counts(successes, trials)
    assert (table["rate low"] <= table["rate"] + 1e-12).all()
    assert (table["rate"] <= table["rate high"] + 1e-12).all()
    others = table.iloc[1:]
    assert (others["p-value (holm)"] >= others["p-value"] - 1e-12).all()
    assert ((others["p-value"] >= 0) & (others["p-value"] <= 1)).all()
    assert (others["difference low"] <= others["difference"] + 1e-9).all()
    assert (others["difference"] <= others["difference high"] + 1e-9).all()


def test_compare_counts_finds_a_large_real_difference():
    table = compare_counts(pd.Series({"A": 100, "B": 200}), pd.Series({"A": 5000, "B": 5000}))
    assert table.loc["B", "significant"]
    assert table.loc["B", "difference low"] > 0


def test_compare_counts_zero_successes_everywhere_gives_p_one():
    table = compare_counts({"A": 0, "B": 0}, {"A": 50, "B": 60})
    assert table.loc["B", "p-value"] == 1.0


@pytest.mark.parametrize(
    ("successes", "trials", "message"),
    [
        ({"A": 5, "B": 300}, {"A": 200, "B": 200}, "cannot exceed trials"),
        ({"A": 5, "B": 0}, {"A": 200, "B": 0}, "0 trials"),
        ({"A": 5}, {"A": 200}, "at least two arms"),
        ({"A": 5, "B": 2.5}, {"A": 200, "B": 200}, "whole number"),
        ({"A": 5, "B": -1}, {"A": 200, "B": 200}, "negative"),
        ({"A": 5, "B": 1}, {"A": 200, "C": 200}, "different arms"),
    ],
)
def test_compare_counts_bad_input(successes, trials, message):
    with pytest.raises(DataError, match=message):
        compare_counts(successes, trials)


def test_compare_counts_bad_control_and_correction():
    with pytest.raises(DataError, match="control 'Z'"):
        compare_counts({"A": 1, "B": 2}, {"A": 10, "B": 10}, control="Z")
    with pytest.raises(DataError, match="multipletests"):
        compare_counts({"A": 1, "B": 2}, {"A": 10, "B": 10}, correction="magic")


def test_compare_arms_equals_compare_counts_on_the_shipped_data(campaign):
    before = campaign.copy()
    table = compare_arms(campaign, "creative", "clicked_at", control="A")
    pd.testing.assert_frame_equal(campaign, before)
    counts = campaign.groupby("creative", observed=True)["clicked_at"].count()
    expected = compare_counts(counts, campaign["creative"].value_counts().reindex(counts.index))
    assert table.index.tolist() == expected.index.tolist()
    pd.testing.assert_frame_equal(table.reset_index(drop=True), expected.reset_index(drop=True))


def test_compare_arms_reads_yes_no_text():
    df = pd.DataFrame({"arm": ["A"] * 4 + ["B"] * 4, "won": ["oui", "non", "non", "non"] * 2})
    assert compare_arms(df, "arm", "won")["successes"].tolist() == [1, 1]


def test_chi_square_test_agrees_with_scipy():
    s, n = {"A": 6, "B": 10, "C": 4}, {"A": 200, "B": 200, "C": 200}
    result = chi_square_test(s, n)
    table = np.array([[6, 194], [10, 190], [4, 196]])
    chi2, p, dof, _ = chi2_contingency(table, correction=False)
    assert result.index.tolist() == ["chi-square test"]
    assert result.loc["chi-square test", "chi-square"] == pytest.approx(chi2)
    assert result.loc["chi-square test", "p-value"] == pytest.approx(p)
    assert result.loc["chi-square test", "degrees of freedom"] == dof
    with pytest.raises(DataError, match="no success"):
        chi_square_test({"A": 0, "B": 0}, {"A": 10, "B": 10})


def test_overall_test_on_the_shipped_data_sees_no_real_difference(campaign):
    # With 200 e-mails per creative, the true differences are invisible: the planted story.
    assert overall_test(campaign, "creative", "clicked_at").loc["chi-square test", "p-value"] > 0.05


def test_rate_table_matches_groupby(campaign):
    frame = campaign.assign(hour=campaign["sent_at"].dt.hour)
    table = rate_table(frame, "hour", "opened_at")
    expected = frame["opened_at"].notna().groupby(frame["hour"]).mean()
    assert table["rate"].to_numpy() == pytest.approx(expected.to_numpy())
    two = rate_table(campaign, ["segment", "creative"], "clicked_at")
    assert two["n"].sum() == len(campaign)
    with pytest.raises(DataError, match="group column"):
        rate_table(campaign, "hour", "opened_at")


def test_time_to_event():
    times = time_to_event(small_frame(), "sent_at", {"open": "opened_at"}, by="creative")
    assert times["hours"].tolist() == pytest.approx([1.0, 2.0, 3.0])
    assert times["creative"].tolist() == ["A", "B", "B"]
    df = small_frame()
    df.loc[0, "opened_at"] = df.loc[0, "sent_at"] - pd.Timedelta(hours=1)
    with pytest.raises(DataError, match="before 'sent_at'"):
        time_to_event(df, "sent_at", ["opened_at"])
    with pytest.raises(DataError, match="'amount' must hold dates"):
        time_to_event(small_frame(), "sent_at", ["amount"])
    with pytest.raises(DataError, match="time_unit must be one of"):
        time_to_event(small_frame(), "sent_at", ["opened_at"], time_unit="months")
    in_days = time_to_event(small_frame(), "sent_at", ["opened_at"], time_unit="days")
    assert in_days["days"].tolist() == pytest.approx([1 / 24, 2 / 24, 3 / 24])


# --------------------------------------------------------------------------- power


def test_sample_size_hand_computed_case():
    # 2.91 % -> 3.91 %, two-sided alpha 0.05, power 0.8: about 5,170 per arm by hand.
    n = sample_size(0.0291, 0.01, alpha=0.05, power=0.8)
    assert abs(n - 5170) <= 10
    expected = samplesize_proportions_2indep_onetail(0.01, 0.0291, 0.8, alpha=0.05)
    assert n == int(np.ceil(expected))


def test_sample_size_comparisons_and_one_sided():
    assert sample_size(0.0291, 0.01, n_comparisons=4) > sample_size(0.0291, 0.01)
    assert sample_size(0.0291, 0.01, alternative="larger") < sample_size(0.0291, 0.01)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(baseline_rate=0.0, min_detectable_effect=0.01), "baseline_rate"),
        (dict(baseline_rate=1.2, min_detectable_effect=0.01), "baseline_rate"),
        (dict(baseline_rate=0.03, min_detectable_effect=0.0), "non-zero"),
        (dict(baseline_rate=0.95, min_detectable_effect=0.1), "baseline_rate \\+ min"),
        (dict(baseline_rate=0.03, min_detectable_effect=0.01, alpha=5), "alpha"),
        (dict(baseline_rate=0.03, min_detectable_effect=0.01, power=1.0), "power"),
        (dict(baseline_rate=0.03, min_detectable_effect=0.01, alternative="less"), "alternative"),
    ],
)
def test_sample_size_bad_input(kwargs, message):
    with pytest.raises(DataError, match=message):
        sample_size(**kwargs)


@settings(max_examples=40, deadline=None)
@given(
    p0=st.floats(0.005, 0.5),
    effect=st.floats(0.002, 0.2),
    power=st.floats(0.5, 0.95),
)
def test_sample_size_laws(p0, effect, power):
    # A larger lift needs fewer e-mails; more power needs more; the power at n is reached.
    n = sample_size(p0, effect, power=power)
    assert sample_size(p0, effect * 1.5, power=power) <= n
    assert sample_size(p0, effect, power=min(power + 0.04, 0.99)) >= n
    reached = power_curve(p0, effect, [n])["power"].iloc[0]
    assert reached >= power - 1e-6


def test_power_curve_crosses_target_at_sample_size():
    n = sample_size(0.0291, 0.01)
    curve = power_curve(0.0291, 0.01)
    assert curve["power"].is_monotonic_increasing
    assert curve["emails per arm"].max() >= n
    at = power_curve(0.0291, 0.01, [n - 50, n])["power"].tolist()
    assert at[0] < 0.8 <= at[1]
    with pytest.raises(DataError, match="positive"):
        power_curve(0.0291, 0.01, [0, 100])


def test_sample_size_table():
    table = sample_size_table(0.0291, [0.01, 0.02], n_arms=5)
    assert table["emails per arm"].tolist() == [
        sample_size(0.0291, 0.01, n_comparisons=4),
        sample_size(0.0291, 0.02, n_comparisons=4),
    ]
    assert (table["total emails"] == 5 * table["emails per arm"]).all()
    with pytest.raises(DataError, match="n_arms"):
        sample_size_table(0.03, [0.01], n_arms=1)
    with pytest.raises(DataError, match="empty"):
        sample_size_table(0.03, [])


# --------------------------------------------------------------------------- bandits

RATES = {"A": 0.010, "B": 0.015, "C": 0.008}


def test_simulate_bandit_shape_and_bookkeeping():
    runs = simulate_bandit(
        RATES, 5000, list(POLICIES), wave_size=1000, n_campaigns=20, random_state=3
    )
    assert set(runs["policy"]) == set(POLICIES)
    assert len(runs) == 3 * 20 * 5
    last = runs[runs["wave"] == 5]
    assert (last["emails"] == 5000).all()
    totals = runs.groupby(["policy", "campaign"])["conversions"].sum()
    assert totals.to_numpy() == pytest.approx(
        last.set_index(["policy", "campaign"]).loc[totals.index, "total conversions"].to_numpy()
    )
    for _, one in runs.groupby(["policy", "campaign"]):
        assert one["regret"].is_monotonic_increasing
        assert (one["regret"] >= 0).all()
    fixed = last[last["policy"] == "fixed split"]
    # An exact even split: 5,000 e-mails in waves of 1,000 over 3 arms.
    assert fixed["emails to best arm"].between(5 * 333, 5 * 334).all()


def test_simulate_bandit_is_reproducible_and_seeded():
    one = simulate_bandit(RATES, 3000, "thompson", n_campaigns=10, random_state=7)
    two = simulate_bandit(RATES, 3000, "thompson", n_campaigns=10, random_state=7)
    other = simulate_bandit(RATES, 3000, "thompson", n_campaigns=10, random_state=8)
    pd.testing.assert_frame_equal(one, two)
    assert not one["total conversions"].equals(other["total conversions"])


def test_simulate_bandit_last_wave_can_be_smaller():
    runs = simulate_bandit(RATES, 2500, "epsilon", wave_size=1000, n_campaigns=3, random_state=0)
    assert sorted(runs["emails"].unique()) == [1000, 2000, 2500]


def test_epsilon_one_is_a_random_split():
    runs = simulate_bandit(RATES, 30_000, "epsilon", epsilon=1.0, n_campaigns=30, random_state=0)
    share = summarise_bandit(runs, baseline="epsilon-greedy")["share to best arm"].iloc[0]
    assert share == pytest.approx(1 / 3, abs=0.01)


def test_thompson_regret_is_below_the_fixed_split():
    runs = simulate_bandit(RATES, 20_000, ["fixed", "thompson"], n_campaigns=100, random_state=11)
    summary = summarise_bandit(runs)
    thompson = summary.loc["thompson sampling"]
    assert thompson["mean regret"] < summary.loc["fixed split", "mean regret"]
    assert thompson["difference high"] < 0  # the whole interval of the difference is below zero
    assert thompson["share to best arm"] > 0.5


def test_thompson_beats_fixed_split_on_the_planted_campaign(truth):
    runs = simulate_bandit(
        truth["conversion_rate"], 20_000, ["fixed", "thompson"], n_campaigns=100, random_state=4
    )
    assert summarise_bandit(runs).loc["thompson sampling", "difference high"] < 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(rates={"A": 0.01}), "at least two arms"),
        (dict(rates={"A": 0.01, "B": 1.5}), "arm 'B'"),
        (dict(rates={"A": 0.01, "B": 0.0}), "strictly between 0 and 1"),
        (dict(rates=RATES, policy="greedy"), "unknown policy"),
        (dict(rates=RATES, n_emails=0), "n_emails"),
        (dict(rates=RATES, wave_size=2.5), "wave_size"),
        (dict(rates=RATES, epsilon=2), "epsilon"),
    ],
)
def test_simulate_bandit_bad_input(kwargs, message):
    with pytest.raises(DataError, match=message):
        simulate_bandit(**kwargs)


def test_summarise_bandit_needs_its_baseline():
    runs = simulate_bandit(RATES, 2000, "thompson", n_campaigns=5, random_state=0)
    with pytest.raises(DataError, match="baseline policy 'fixed split'"):
        summarise_bandit(runs)


# --------------------------------------------------------------------------- planted truth


def test_planted_story_on_the_shipped_data(campaign, truth):
    assert len(campaign) == 1000
    assert campaign["creative"].value_counts().eq(200).all()
    clicks = compare_arms(campaign, "creative", "clicked_at", control="A")
    sales = compare_arms(campaign, "creative", "purchased_at", control="A")
    lucky, best = truth["lucky_creative"], truth["best_creative"]
    # D is exactly as good as the control in truth, but is the observed winner at n = 200.
    assert truth["click_rate"][lucky] == pytest.approx(truth["click_rate"]["A"])
    assert clicks["rate"].idxmax() == lucky
    assert sales["rate"].idxmax() == lucky
    assert max(truth["click_rate"], key=truth["click_rate"].get) == best
    # Nothing survives the Holm correction: most differences at n = 200 are noise.
    assert not clicks["significant"].any()
    assert not sales["significant"].any()
    # Every true click rate lies in its creative's 95 % interval.
    for arm, rate in truth["click_rate"].items():
        assert clicks.loc[arm, "rate low"] <= rate <= clicks.loc[arm, "rate high"]


def test_generator_recovers_rates_at_scale():
    sim = simulate_campaign(n_emails=100_000, random_state=5)
    df = sim.tables["04-02-Campaign.csv"]
    observed = compare_arms(df, "creative", "clicked_at")
    for arm, rate in sim.truth["click_rate"].items():
        low, high = observed.loc[arm, ["rate low", "rate high"]]
        assert low - 0.002 <= rate <= high + 0.002
    by_hour = rate_table(df.assign(hour=df["sent_at"].dt.hour), "hour", "opened_at")["rate"]
    truth_by_hour = sim.truth["open_rate_by_hour"].reindex(by_hour.index)
    assert np.corrcoef(by_hour, truth_by_hour)[0, 1] > 0.95
    # Events are in order in every row.
    funnel_report(df, "creative", STEPS)


# --------------------------------------------------------------------------- plots


def test_plots_return_axes(campaign):
    report = funnel_report(campaign, "creative", STEPS)
    runs = simulate_bandit(RATES, 2000, ["fixed", "thompson"], n_campaigns=5, random_state=0)
    comparison = compare_arms(campaign, "creative", "clicked_at")
    axes = [
        plot_funnel(report),
        plot_arms(comparison, truth={"A": 0.03}),
        plot_power_curve(power_curve(0.03, 0.01)),
        plot_bandit(runs),
    ]
    fig, ax = plt.subplots()
    assert plot_arms(comparison, ax=ax) is ax
    assert all(a.__class__.__name__ == "Axes" for a in axes)
    plt.close("all")
    with pytest.raises(DataError, match="results column"):
        plot_bandit(runs, metric="profit")


def test_amount_columns_count_as_sales_where_positive():
    df = pd.DataFrame({"arm": ["A"] * 3 + ["B"] * 3, "amount": [0.0, 50.0, None, 10.0, 20.0, 0.0]})
    assert compare_arms(df, "arm", "amount")["successes"].tolist() == [1, 2]


def test_plot_labels_take_the_level_of_the_table():
    df = small_frame()
    report = funnel_report(df, "creative", ["delivered", "opened_at"], level=0.9)
    assert plot_funnel(report).get_title() == "Funnel per arm (90 % intervals)"
    comparison = compare_counts({"A": 6, "B": 10}, {"A": 200, "B": 200}, level=0.8)
    texts = [t.get_text() for t in plot_arms(comparison).get_legend().get_texts()]
    assert "observed (80 % interval)" in texts
    wider = compare_counts({"A": 6, "B": 10}, {"A": 200, "B": 200}, level=0.99)
    assert (wider["rate high"] > comparison["rate high"]).all()
    plt.close("all")


def test_plots_take_ax_by_keyword_only():
    comparison = compare_counts({"A": 6, "B": 10}, {"A": 200, "B": 200})
    _, ax = plt.subplots()
    with pytest.raises(TypeError):
        plot_arms(comparison, ax)
    assert plot_arms(comparison, ax=ax) is ax
    plt.close("all")


def test_simulate_bandit_is_seeded_by_default():
    one = simulate_bandit(RATES, 2000, "thompson", n_campaigns=5)
    two = simulate_bandit(RATES, 2000, "thompson", n_campaigns=5, random_state=0)
    pd.testing.assert_frame_equal(one, two)


# --------------------------------------------------------------------------- what we do not know


def test_posterior_rates_are_plausible_worlds_around_the_observed_rates():
    from mlmarketing.experiments import posterior_rates

    worlds = posterior_rates({"A": 20, "B": 60}, {"A": 2000, "B": 2000}, 4000, random_state=1)
    assert list(worlds.columns) == ["A", "B"] and len(worlds) == 4000
    assert worlds.mean().round(3).tolist() == [0.010, 0.030]
    assert ((worlds > 0) & (worlds < 1)).all().all()
    again = posterior_rates({"A": 20, "B": 60}, {"A": 2000, "B": 2000}, 4000, random_state=1)
    pd.testing.assert_frame_equal(worlds, again)


def test_probability_best_sums_to_one_and_follows_the_evidence():
    from mlmarketing.experiments import probability_best

    best = probability_best({"A": 2, "B": 2, "C": 30}, {"A": 200, "B": 200, "C": 200})
    assert best["probability best"].sum() == pytest.approx(1.0)
    assert best.loc["C", "probability best"] > 0.99
    even = probability_best({"A": 5, "B": 5}, {"A": 100, "B": 100}, n_draws=40_000)
    assert even["probability best"].tolist() == pytest.approx([0.5, 0.5], abs=0.02)
    with pytest.raises(DataError, match="successes cannot exceed"):
        probability_best({"A": 5, "B": 500}, {"A": 100, "B": 100})


def test_bandit_over_uncertain_rates_gives_each_campaign_its_own_world():
    from mlmarketing.experiments import posterior_rates

    worlds = posterior_rates({"A": 2, "B": 6}, {"A": 200, "B": 200}, 40, random_state=0)
    runs = simulate_bandit(worlds, 2000, ["fixed", "thompson"], wave_size=500, random_state=0)
    assert runs["campaign"].nunique() == 40
    last = runs[runs["wave"] == runs["wave"].max()]
    # The best arm differs between worlds, and regret is measured in each campaign's own world.
    best_is_a = worlds["A"] > worlds["B"]
    assert best_is_a.any() and not best_is_a.all()
    fixed = last[last["policy"] == "fixed split"].set_index("campaign")
    expected = 1000 * (worlds.max(axis=1) - worlds.min(axis=1))
    assert np.allclose(fixed["regret"], expected)
    with pytest.raises(DataError, match="no row"):
        simulate_bandit(worlds.iloc[:0], 2000)


def test_summarise_bandit_shows_how_much_one_campaign_varies():
    runs = simulate_bandit(RATES, 9000, ["fixed", "thompson"], wave_size=500, n_campaigns=200, random_state=3)
    summary = summarise_bandit(runs)
    row = summary.loc["thompson sampling"]
    # The range of single campaigns is far wider than the interval of the mean difference.
    width_of_mean = row["difference high"] - row["difference low"]
    assert row["conversions high"] - row["conversions low"] > 3 * width_of_mean
    assert 0 <= row["share no better than baseline"] <= 1
    assert np.isnan(summary.loc["fixed split", "share no better than baseline"])
    with pytest.raises(DataError, match="spread"):
        summarise_bandit(runs, spread=1.5)


def test_simulate_bandit_counts_the_emails_of_every_arm():
    runs = simulate_bandit(RATES, 3000, list(POLICIES), wave_size=1000, n_campaigns=10, random_state=2)
    per_arm = runs[[f"emails to {arm}" for arm in RATES]]
    assert (per_arm.sum(axis=1) == runs["emails"]).all()
    best = max(RATES, key=RATES.get)
    assert (runs[f"emails to {best}"] == runs["emails to best arm"]).all()


def test_bandits_start_from_the_test_they_follow():
    # A test that already found B clearly better: with its counts, Thompson sampling sends
    # almost all of the first wave to B; without them it starts from an even split.
    test = {"successes": {"A": 10, "B": 40, "C": 8}, "trials": {"A": 1000, "B": 1000, "C": 1000}}
    first = {}
    for label, prior in (("with", test), ("without", None)):
        kwargs = {} if prior is None else {
            "prior_successes": prior["successes"], "prior_trials": prior["trials"]}
        runs = simulate_bandit(RATES, 500, ["thompson", "epsilon"], wave_size=500, n_campaigns=50,
                               random_state=0, **kwargs)
        first[label] = runs.groupby("policy")["emails to B"].mean() / 500
    assert (first["with"] > 0.85).all()
    assert first["without"]["thompson sampling"] < 0.6
    # The test's e-mails are not counted again: the replay holds only the new ones.
    assert (runs["emails"] <= 500).all()


def test_bandit_prior_bad_input():
    with pytest.raises(DataError, match="both prior_successes and prior_trials"):
        simulate_bandit(RATES, 1000, prior_successes={"A": 1, "B": 2, "C": 3})
    with pytest.raises(DataError, match="exactly the arms of the rates"):
        simulate_bandit(RATES, 1000, prior_successes={"A": 1, "B": 2}, prior_trials={"A": 100, "B": 100})
    with pytest.raises(DataError, match="successes cannot exceed"):
        simulate_bandit(RATES, 1000, prior_successes={"A": 1, "B": 200, "C": 3},
                        prior_trials={"A": 100, "B": 100, "C": 100})
    with pytest.raises(DataError, match="'best arm'"):
        simulate_bandit({"best arm": 0.01, "B": 0.02}, 1000)
