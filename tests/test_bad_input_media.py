"""Bad input for every helper of mlmarketing.media that takes dates, yes/no values, amounts or ids.

Each call returns the right answer (computed by hand, or equal to the answer on clean input) or
raises DataError naming the column or value and the fix: never another exception, never a silent
wrong answer, and the caller's table is never modified.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, DataWarning
from mlmarketing import media as m

# ---------------------------------------------------------------------------- tables


def plan() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": ["search", "search", "tv", "email"],
            "spend": [100.0, 300.0, 5000.0, 20.0],
            "impressions": [1000, 3000, 200_000, 500],
            "clicks": [50, 150, None, 10],
            "conversions": [4, 6, 20, 2],
            "revenue": [400.0, 600.0, 1000.0, 80.0],
        }
    )


def weekly(n_weeks: int = 60, seed: int = 0) -> pd.DataFrame:
    """Two channels a and b, weekly totals with a promotion effect of 50 conversions."""
    gen = np.random.default_rng(seed)
    weeks = pd.date_range("2024-01-01", periods=n_weeks, freq="W-MON")
    promotion = gen.random(n_weeks) < 0.3
    total = 1000 + gen.normal(0, 5, n_weeks) + 50 * promotion
    rows = []
    for name in ["a", "b"]:
        spend = gen.uniform(100, 1000, n_weeks).round()
        total = total + 200 * spend / (spend + 400)
        rows.append(pd.DataFrame({"week": weeks, "channel": name, "spend": spend,
                                  "promotion": promotion}))
    table = pd.concat(rows, ignore_index=True)
    table["conversions"] = np.tile(total.round(), 2)
    return table


@pytest.fixture(scope="module")
def clean_fit():
    return m.fit_response_curves(weekly(), target="conversions", controls=["promotion"])


def same_fit(one: m.ResponseCurves, two: m.ResponseCurves) -> None:
    pd.testing.assert_frame_equal(one.params, two.params, check_index_type=False, rtol=1e-9)
    np.testing.assert_allclose(one.controls.to_numpy(), two.controls.to_numpy(), rtol=1e-9)
    assert one.r2 == pytest.approx(two.r2, rel=1e-12)


def fit(table: pd.DataFrame, **kwargs) -> m.ResponseCurves:
    return m.fit_response_curves(table, target="conversions", controls=["promotion"], **kwargs)


# ---------------------------------------------------------------------------- media_kpis: amounts


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("spend", np.inf, r"column 'spend' holds infinite values \(row 1\).*Replace them"),
        ("conversions", -np.inf, r"column 'conversions' holds infinite values \(row 1\)"),
        ("spend", -5.0, r"column 'spend' holds negative spend \(row 1, such as -5\).*Correct or drop"),
        ("impressions", -1, r"column 'impressions' holds negative impressions \(row 1"),
        ("clicks", -3, r"column 'clicks' holds negative clicks \(row 1"),
        ("revenue", -80.0, r"column 'revenue' holds negative revenue \(row 1"),
    ],
)
def test_media_kpis_refuses_infinite_and_negative_amounts_naming_the_rows(column, value, message):
    table = plan()
    table[column] = table[column].astype(float)
    table.loc[1, column] = value
    before = table.copy()
    with pytest.raises(DataError, match=message):
        m.media_kpis(table)
    pd.testing.assert_frame_equal(table, before)


def test_media_kpis_refuses_decimal_comma_text_with_the_conversion():
    table = plan().assign(spend=["100,00", "300,00", "5 000,00", "20,00"])
    with pytest.raises(DataError, match=r"'spend' must hold numbers.*decimal commas.*read_table"):
        m.media_kpis(table)
    thousands = plan().assign(impressions=["1,000.0", "3,000.0", "200,000.0", "500.0"])
    with pytest.raises(DataError, match=r"'impressions'.*thousands separators.*str\.replace"):
        m.media_kpis(thousands)


def test_media_kpis_inf_never_becomes_an_infinite_cpa():
    # The finding: spend = inf gave CPA = inf although the docstring promises never infinite.
    with pytest.raises(DataError, match="infinite"):
        m.media_kpis(plan().assign(spend=[np.inf, 300.0, 5000.0, 20.0]))


# ---------------------------------------------------------------------------- media_kpis: groups


def test_media_kpis_keeps_rows_with_a_missing_group_as_a_visible_group():
    table = plan()
    table.loc[2, "channel"] = None  # the TV row lost its channel
    kpis = m.media_kpis(table)
    assert list(kpis.index) == ["email", "search", m.MISSING_GROUP]
    assert kpis["spend"].sum() == pytest.approx(5420.0)  # every euro is in the table
    assert kpis.loc["(missing)", "spend"] == 5000.0
    assert kpis.loc["(missing)", "CPA"] == pytest.approx(5000 / 20)
    assert kpis.loc["search", "CPA"] == pytest.approx(400 / 10)


def test_media_kpis_missing_group_in_a_categorical_and_in_two_keys():
    table = plan().assign(channel=lambda d: pd.Categorical(d["channel"]),
                          season=["winter", None, "winter", "summer"])
    table.loc[3, "channel"] = np.nan
    one = m.media_kpis(table)
    assert list(one.index) == ["search", "tv", "(missing)"]
    assert one.loc["(missing)", "spend"] == 20.0
    two = m.media_kpis(table, by=["channel", "season"])
    assert two["spend"].sum() == pytest.approx(5420.0)
    assert two.loc[("search", "(missing)"), "spend"] == 300.0
    assert two.loc[("(missing)", "summer"), "spend"] == 20.0


def test_media_kpis_group_names_mixing_numbers_and_text_are_one_group():
    table = plan().assign(campaign=pd.Series([7, "7", "7.0", 8], dtype=object))
    kpis = m.media_kpis(table, by="campaign")
    assert list(kpis.index) == ["7", "8"]
    assert kpis.loc["7", "spend"] == pytest.approx(5400.0)
    assert kpis.loc["7", "CPA"] == pytest.approx(5400 / 30)
    as_text = m.media_kpis(plan().assign(campaign=["7", " 7", "7.0", "8"]), by="campaign")
    pd.testing.assert_frame_equal(as_text, kpis)


def test_media_kpis_by_a_numeric_campaign_number():
    table = plan().assign(campaign_id=[1001, 1001, 1002, 1003])
    kpis = m.media_kpis(table, by="campaign_id")
    assert list(kpis.index) == [1001, 1002, 1003]
    assert kpis.loc[1001, "CPC"] == pytest.approx(400 / 200)


def test_media_kpis_many_groups_give_one_row_each():
    n = 5000
    table = pd.DataFrame({"ad": [f"ad {i}" for i in range(n)], "spend": np.full(n, 2.0),
                          "impressions": np.full(n, 100), "clicks": np.full(n, 4)})
    kpis = m.media_kpis(table, by="ad", conversions=None, revenue=None)
    assert len(kpis) == n and (kpis["CPC"] == 0.5).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.floats(0, 1e6),
                          st.integers(0, 10**6)), min_size=1, max_size=30))
def test_media_kpis_groups_add_up_to_the_whole_table(rows):
    """Law: the groups' totals add up to the table's total, missing groups included."""
    table = pd.DataFrame(rows, columns=["channel", "spend", "impressions"])
    by_channel = m.media_kpis(table, clicks=None, conversions=None, revenue=None)
    whole = m.media_kpis(table, by=None, clicks=None, conversions=None, revenue=None)
    assert by_channel["spend"].sum() == pytest.approx(whole.loc["all", "spend"], rel=1e-9, abs=1e-9)
    assert by_channel["impressions"].sum() == whole.loc["all", "impressions"]
    assert not np.isinf(by_channel[["CPM"]].to_numpy()).any()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([1, "1", 1.0, "1.0", 2, "2"]), min_size=1, max_size=20))
def test_media_kpis_id_spellings_do_not_change_the_groups(spellings):
    table = pd.DataFrame({"campaign": pd.Series(spellings, dtype=object),
                          "spend": np.arange(1.0, len(spellings) + 1),
                          "impressions": np.full(len(spellings), 10)})
    kpis = m.media_kpis(table, by="campaign", clicks=None, conversions=None, revenue=None)
    canonical = table.assign(campaign=table["campaign"].map(lambda v: str(int(float(v)))))
    expected = canonical.groupby("campaign")["spend"].sum()
    assert kpis["spend"].to_dict() == pytest.approx(expected.to_dict())


# ---------------------------------------------------------------------------- fit_response_curves


@pytest.mark.parametrize("written", ["%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"])
def test_fit_reads_day_first_text_weeks(clean_fit, written):
    # Weeks starting 1 January 2024: "08/01/2024" is 8 January, never 1 August.
    table = weekly().assign(week=lambda d: d["week"].dt.strftime(written))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # day first is the rule: nothing to say
        result = fit(table)
    same_fit(result, clean_fit)
    assert result.spend.index[1] == pd.Timestamp("2024-01-08")


def test_fit_month_first_weeks_are_read_so_and_said(clean_fit):
    table = weekly().assign(week=lambda d: d["week"].dt.strftime("%m/%d/%Y"))
    with pytest.warns(DataWarning, match=r"'week' is read month first.*day_first=True"):
        result = fit(table)
    same_fit(result, clean_fit)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("semaine 3", r"column 'week' holds 'semaine 3', which is not a date.*2024-03-31"),
        (None, r"column 'week' has 1 missing date\(s\) \(row 5\).*fill in the week"),
        ("-1", r"column 'week' holds '-1', which is not a date.*2024-03-31"),
    ],
)
def test_fit_refuses_a_bad_week(value, message):
    table = weekly().assign(week=lambda d: d["week"].dt.strftime("%d/%m/%Y"))
    table.loc[5, "week"] = value
    with pytest.raises(DataError, match=message):
        fit(table)


@pytest.mark.parametrize(
    ("yes", "no"), [("Oui", "Non"), ("Vrai", "Faux"), (" oui ", "NON"), ("yes", "no"), (1, 0)]
)
def test_fit_reads_yes_no_controls(clean_fit, yes, no):
    table = weekly()
    table["promotion"] = np.where(table["promotion"], yes, no)
    result = fit(table)
    same_fit(result, clean_fit)
    assert list(result.controls.index) == ["intercept", "promotion"]


def test_fit_refuses_a_yes_no_control_with_a_missing_value():
    table = weekly()
    table["promotion"] = np.where(table["promotion"], "Oui", "Non").astype(object)
    table.loc[table["week"] == table["week"].iloc[3], "promotion"] = None
    with pytest.raises(DataError, match=r"column 'promotion' has 1 missing value.*2024-01-22"):
        fit(table)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.assign(spend=d["spend"].where(d.index != 7, np.inf)),
         r"column 'spend' holds infinite values \(row 7\)"),
        (lambda d: d.assign(spend=d["spend"].where(d.index != 7, -10.0)),
         r"column 'spend' holds negative spend \(row 7"),
        (lambda d: d.assign(spend=d["spend"].map(lambda v: f"{v:.2f}".replace(".", ","))),
         r"'spend' must hold numbers.*decimal commas"),
        (lambda d: d.assign(conversions=d["conversions"].astype(str)),
         r"'conversions' must hold numbers.*pd\.to_numeric"),
        (lambda d: d.assign(conversions=-d["conversions"]), r"negative conversions"),
        (lambda d: d.assign(channel=d["channel"].where(d.index != 4)),
         r"column 'channel' has 1 missing channel name\(s\) \(row 4\).*fill in the channel"),
    ],
)
def test_fit_refuses_bad_amounts_and_names(change, message):
    table = weekly()
    with pytest.raises(DataError, match=message):
        fit(change(table))


def test_fit_refuses_an_infinite_numeric_control():
    table = weekly().assign(temperature=lambda d: d["week"].dt.month.astype(float))
    table.loc[table["week"] == table["week"].iloc[2], "temperature"] = np.inf
    with pytest.raises(DataError, match=r"'temperature' holds infinite values \(row 2024-01-15\)"):
        m.fit_response_curves(table, target="conversions", controls=["temperature"])


def test_fit_channel_names_mixing_numbers_and_text_are_one_channel(clean_fit):
    table = weekly()
    names = table["channel"].map({"a": 1, "b": 2}).astype(object)
    names[::3] = names[::3].astype(str)  # some rows say "1", others 1
    result = fit(table.assign(channel=names))
    assert list(result.params.index) == ["1", "2"]
    pd.testing.assert_frame_equal(result.params.set_axis(["a", "b"]), clean_fit.params,
                                  check_names=False, rtol=1e-9)


def test_fit_refuses_an_id_as_a_control():
    table = weekly()
    table["week_id"] = table["week"].rank(method="dense").astype(int) + 1000
    with pytest.raises(DataError, match=r"'week_id' looks like an identifier.*astype\(float\)"):
        m.fit_response_curves(table, target="conversions", controls=["week_id"])


def test_fit_groups_the_rare_levels_of_a_many_level_control():
    table = weekly()
    codes = table["week"].rank(method="dense").astype(int) % 20  # 20 levels on 60 weeks
    table["creative"] = "creative " + codes.astype(str)
    with pytest.warns(DataWarning, match=r"'creative' has 20 levels, more than the 3 that 60 weeks"):
        result = m.fit_response_curves(table, target="conversions", controls=["creative"])
    # At most 3 levels (two kept, "other"), so two indicators besides the intercept.
    assert len(result.controls) == 1 + 2


def test_fit_does_not_modify_messy_input():
    table = weekly().assign(week=lambda d: d["week"].dt.strftime("%d/%m/%Y"),
                            promotion=lambda d: np.where(d["promotion"], "Oui", "Non"))
    before = table.copy()
    fit(table)
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"warm_up": -1}, "warm_up"),
        ({"warm_up": 2.5}, "warm_up"),
        ({"shape": "1,5"}, r"shape must be a number.*decimal point"),
        ({"max_decay": np.inf}, "max_decay must be a finite number"),
        ({"half_saturation_range": (0.1,)}, "pair"),
    ],
)
def test_fit_bad_options(kwargs, message):
    with pytest.raises(DataError, match=message):
        fit(weekly(), **kwargs)


# ---------------------------------------------------------------------------- adstock, saturation


@pytest.mark.parametrize(
    ("spend", "message"),
    [
        ([100.0, np.inf], r"spend holds infinite values \(row 1\)"),
        ([100.0, -1.0], r"spend holds negative spend \(row 1"),
        (["70,35", "10,00"], r"spend must hold numbers.*decimal commas"),
        ([100.0, np.nan], r"spend has missing values \(row 1\).*fill periods without spend with 0"),
        (pd.Series([1.0, np.inf], index=["w1", "w2"]), r"infinite values \(row w2\)"),
    ],
)
@pytest.mark.parametrize("helper", [lambda s: m.adstock(s, 0.5), lambda s: m.saturation(s, 10.0)])
def test_adstock_and_saturation_refuse_bad_spend(helper, spend, message):
    with pytest.raises(DataError, match=message):
        helper(spend)


def test_adstock_refuses_ragged_spend_and_concentration_refuses_impossible_numbers():
    with pytest.raises(DataError, match="one series of values"):
        m.adstock([1.0, [1.0, 2.0]], 0.5)
    with pytest.raises(DataError, match="no exposure concentration explains"):
        m.exposure_concentration(1e308, 10, 100)


def test_media_kpis_by_a_date_column_keeps_the_dates():
    table = plan().assign(week=pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-01", None]))
    kpis = m.media_kpis(table, by="week")
    assert list(kpis.index[:2]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert kpis.index[2] == "(missing)" and kpis.loc[pd.Timestamp("2024-01-01"), "spend"] == 5100.0


def test_adstock_and_saturation_bad_parameters():
    with pytest.raises(DataError, match="decay must be a number"):
        m.adstock([1.0], "0,5")
    with pytest.raises(DataError, match="half_saturation must be a finite number"):
        m.saturation([1.0], np.inf)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e5), min_size=1, max_size=15),
       st.lists(st.floats(0, 1e5), min_size=1, max_size=15),
       st.floats(0, 0.95), st.floats(0, 10), st.floats(0, 10))
def test_adstock_is_linear(x, y, decay, a, b):
    """Law: the carry-over of a weighted sum is the weighted sum of the carry-overs."""
    n = min(len(x), len(y))
    x, y = np.array(x[:n]), np.array(y[:n])
    np.testing.assert_allclose(m.adstock(a * x + b * y, decay),
                               a * m.adstock(x, decay) + b * m.adstock(y, decay),
                               rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.floats(1e-3, 1e6), st.floats(1.0, 1e5), st.floats(0.3, 4.0))
def test_saturation_is_symmetric_around_half_saturation(x, half, shape):
    """Law of the Hill curve: s(x) + s(half**2 / x) = 1."""
    total = m.saturation([x], half, shape)[0] + m.saturation([half**2 / x], half, shape)[0]
    assert total == pytest.approx(1.0, abs=1e-9)


# ---------------------------------------------------------------------------- budget helpers


def curves() -> pd.DataFrame:
    return pd.DataFrame({"half saturation": [10.0, 10.0], "effect": [100.0, 100.0]},
                        index=["tv", "search"])


@pytest.mark.parametrize(
    ("spend", "message"),
    [
        ({"tv": "70,35", "search": 10.0}, r"spend must hold numbers.*decimal commas"),
        ({"tv": np.inf, "search": 10.0}, r"spend holds infinite values \(row tv\)"),
        ({"tv": -1.0, "search": 10.0}, r"spend holds negative amounts \(row tv"),
        ({"tv": np.nan, "search": 10.0}, r"spend for channel 'tv' is missing"),
        ([10.0, 10.0], r"spend must give one weekly amount per channel, as a dict or Series"),
    ],
)
@pytest.mark.parametrize("helper", [m.expected_conversions, m.marginal_cpa])
def test_response_helpers_refuse_bad_spend(helper, spend, message):
    with pytest.raises(DataError, match=message):
        helper(curves(), spend)


def test_response_helpers_read_the_planted_truth_spelling_and_refuse_bad_curves():
    truth_spelling = curves().rename(columns={"half saturation": "half_saturation"})
    assert m.expected_conversions(truth_spelling, {"tv": 30.0, "search": 10.0}).tolist() == [75.0, 50.0]
    with pytest.raises(DataError, match=r"'half saturation' holds infinite values \(row tv\)"):
        m.expected_conversions(curves().assign(**{"half saturation": [np.inf, 1.0]}),
                               {"tv": 1.0, "search": 1.0})
    with pytest.raises(DataError, match=r"'effect' must hold numbers.*decimal commas"):
        m.allocate_budget(curves().assign(effect=["100,0", "100,0"]), 20.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total_budget": "1 000"}, r"total_budget must be a number.*decimal point"),
        ({"total_budget": np.inf}, "total_budget must be a finite number"),
        ({"total_budget": 20.0, "min_spend": {"tv": "5,0"}}, r"min_spend must hold numbers"),
        ({"total_budget": 20.0, "min_spend": {"tv": np.inf}}, r"min_spend holds infinite values"),
        ({"total_budget": 20.0, "min_spend": -1.0}, r"min_spend cannot be negative"),
        ({"total_budget": 20.0, "max_spend": {"tv": -5.0}}, r"max_spend holds negative amounts \(row tv"),
        ({"total_budget": 20.0, "max_spend": [5.0, 5.0]}, r"max_spend must be one amount, or one per"),
    ],
)
@pytest.mark.parametrize("helper", ["allocate", "ranking"])
def test_budget_helpers_refuse_bad_amounts(helper, kwargs, message):
    with pytest.raises(DataError, match=message):
        if helper == "allocate":
            m.allocate_budget(curves(), **kwargs)
        else:
            m.split_by_ranking(["tv", "search"], **kwargs)


def test_budget_helpers_take_np_inf_as_no_maximum():
    plan_ = m.allocate_budget(curves(), 20.0, max_spend={"tv": np.inf, "search": 15.0})
    assert plan_["weekly spend"].tolist() == pytest.approx([10.0, 10.0])
    split = m.split_by_ranking(["tv", "search"], 20.0, max_spend=np.inf)
    assert split.tolist() == [20.0, 0.0]


# ---------------------------------------------------------------------------- reach and frequency


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: m.cost_for_frequency(1_000_000, "7,5"), r"cpm must be a number.*decimal point"),
        (lambda: m.cost_for_frequency(np.inf, 7.5), "audience must be a finite number"),
        (lambda: m.cost_for_frequency(1000, 7.5, concentration="1"), "concentration must be a number"),
        (lambda: m.reach_frequency(impressions=np.nan, audience=1000), "impressions must be a finite"),
        (lambda: m.reach_frequency(grp="100"), "grp must be a number"),
        (lambda: m.reach_frequency(grp=100, frequency=7.0), "frequency .* whole number"),
        (lambda: m.exposure_concentration("2 000", 500, 1000), "impressions must be a number"),
        (lambda: m.exposure_concentration(2000, 500, np.inf), "audience must be a finite"),
    ],
)
def test_reach_helpers_refuse_bad_numbers(call, message):
    with pytest.raises(DataError, match=message):
        call()


def test_reach_helpers_accept_numpy_numbers_and_inf_concentration():
    assert m.reach_frequency(grp=np.float64(200.0), concentration=np.inf)["reach"] == pytest.approx(
        1 - np.exp(-2)
    )
    assert m.cost_for_frequency(np.int64(2_000_000), np.float32(8.0), 7,
                                concentration=1)["cost"] == pytest.approx(96_000, rel=1e-6)


# ---------------------------------------------------------------------------- plots


def test_plots_open_a_new_figure_and_refuse_infinite_kpis():
    kpis = pd.DataFrame({"CPA": [30.0, 250.0]}, index=["search", "tv"])
    first, second = m.plot_kpi(kpis), m.plot_kpi(kpis)
    assert first.figure is not second.figure
    with pytest.raises(DataError, match=r"'CPA' holds infinite values \(row tv\)"):
        m.plot_kpi(kpis.assign(CPA=[30.0, np.inf]))
    with pytest.raises(DataError, match="max_spend must be a number"):
        m.plot_response_curves(curves(), max_spend="100")
    plt.close("all")
