"""Bad input for every helper of mlmarketing.experiments that reads dates, yes/no, amounts or ids.

The mistakes a French export brings (day-first text dates, Vrai/Faux and Oui/Non columns, inf,
decimal commas, mixed int/str labels, a numeric customer number, a high-cardinality category, a
missing group): each call returns the hand-computed answer or raises a DataError naming the column
or value and the fix, never another exception and never a silent wrong answer. The module has no
single-date argument (no ``as_of``/``cut``): its dates are all columns.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, DataWarning
from mlmarketing.experiments import (
    campaign_return,
    chi_square_test,
    compare_arms,
    compare_counts,
    funnel_report,
    overall_test,
    power_curve,
    rate_table,
    sample_size,
    simulate_bandit,
    summarise_bandit,
    time_to_event,
)


def emails(clicked: list, arms: list | None = None) -> pd.DataFrame:
    """Ten e-mails, A then B (five each) unless ``arms`` is given."""
    arms = arms if arms is not None else ["A"] * 5 + ["B"] * 5
    return pd.DataFrame({"creative": arms, "clicked": clicked})


# --------------------------------------------------------------------------- yes/no


# A clicks on rows 0 and 1, B on rows 5, 6 and 7: 2 and 3 successes out of 5.
YES_NO_COLUMNS = {
    "Vrai/Faux": ["Vrai", "Vrai", "Faux", "Faux", "Faux", "Vrai", "Vrai", "Vrai", "Faux", "Faux"],
    "Oui/Non": ["Oui", "oui", "Non", "NON", " non ", "Oui", "OUI", " oui", "Non", "non"],
    "true/false text": ["true", "TRUE", "false", "False", "false", "true", "True", "true", "no", "n"],
    "1/0 text": ["1", "1.0", "0", "0", "0.0", "1", "1", "1", "0", "0"],
    "1/0 numbers": [1, 1, 0, 0, 0, 1, 1, 1, 0, 0],
    "booleans": [True, True, False, False, False, True, True, True, False, False],
}


@pytest.mark.parametrize("name", list(YES_NO_COLUMNS))
def test_compare_arms_reads_every_yes_no_vocabulary(name):
    df = emails(YES_NO_COLUMNS[name])
    before = df.copy()
    table = compare_arms(df, "creative", "clicked")
    pd.testing.assert_frame_equal(df, before)
    assert table["successes"].tolist() == [2, 3]
    assert table["rate"].tolist() == pytest.approx([0.4, 0.6])
    assert table.loc["B", "difference"] == pytest.approx(0.2)


def test_vrai_faux_is_not_every_email_a_success():
    # The review's case: a Vrai/Faux column used to count every row (notna) as a success.
    df = emails(YES_NO_COLUMNS["Vrai/Faux"])
    assert overall_test(df, "creative", "clicked").loc["chi-square test", "p-value"] == pytest.approx(
        chi_square_test({"A": 2, "B": 3}, {"A": 5, "B": 5}).loc["chi-square test", "p-value"]
    )
    assert rate_table(df, "creative", "clicked")["successes"].tolist() == [2, 3]
    funnel = funnel_report(df, "creative", ["clicked"])
    assert funnel.loc[funnel["step"] == "clicked", "count"].tolist() == [2, 3]


@pytest.mark.parametrize(
    "call",
    [
        lambda df: compare_arms(df, "creative", "clicked"),
        lambda df: overall_test(df, "creative", "clicked"),
        lambda df: rate_table(df, "creative", "clicked"),
        lambda df: funnel_report(df, "creative", ["clicked"]),
    ],
)
def test_a_value_outside_the_vocabulary_is_named(call):
    df = emails(["Oui", "Non", "Peut-être", "Non", "Non", "Oui", "Non", "Non", "Non", "Non"])
    with pytest.raises(DataError, match=r"column 'clicked' must say whether.*'Peut-être'.*Recode"):
        call(df)


def test_a_missing_yes_no_value_is_refused_with_the_rows():
    df = emails(["Oui", None, "Non", "Non", "Non", "Oui", "Non", "Non", "Non", "Non"])
    with pytest.raises(DataError, match=r"'clicked' has 1 missing value\(s\) \(row 1\).*fill them"):
        compare_arms(df, "creative", "clicked")
    nullable = emails(pd.array([True, pd.NA, False, False, False, True, False, False, False, False]))
    with pytest.raises(DataError, match="missing value"):
        rate_table(nullable, "creative", "clicked")


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([None] * 10, dtype=object),
        pd.Series([np.nan] * 10),
        pd.Series([pd.NaT] * 10),
        pd.Series([pd.NA] * 10, dtype="boolean"),
    ],
    ids=["object", "float", "dates", "boolean"],
)
def test_an_all_missing_event_column_is_an_error_not_zero_successes(column):
    df = emails(list(column))
    df["clicked"] = column.to_numpy()
    for call in (
        lambda: compare_arms(df, "creative", "clicked"),
        lambda: overall_test(df, "creative", "clicked"),
        lambda: rate_table(df, "creative", "clicked"),
        lambda: funnel_report(df, "creative", ["clicked"]),
    ):
        with pytest.raises(DataError, match=r"column 'clicked' has no value at all \(10 missing\)"):
            call()


def test_text_that_is_neither_yes_no_nor_dates_is_refused():
    df = emails([f"E{i:05d}" for i in range(10)])
    with pytest.raises(DataError, match=r"holds 'E00000', 'E00001'.*none of these"):
        compare_arms(df, "creative", "clicked")


# --------------------------------------------------------------------------- dates


def test_day_first_text_dates_in_time_to_event():
    df = pd.DataFrame({
        "sent": ["01/06/2019 09:00", "03/06/2019 10:00", "03/06/2019 10:00"],
        "opened": ["02/06/2019 09:00", "03/06/2019 12:30", None],
    })
    before = df.copy()
    times = time_to_event(df, "sent", ["opened"])
    pd.testing.assert_frame_equal(df, before)
    # Day first: 1 June 09:00 -> 2 June 09:00 is 24 hours (month first would be 31 days).
    assert times["hours"].tolist() == pytest.approx([24.0, 2.5])
    days = time_to_event(df, "sent", {"open": "opened"}, time_unit="days")
    assert days["days"].tolist() == pytest.approx([1.0, 2.5 / 24])


def test_time_to_event_same_answer_from_text_and_from_dates():
    sent = pd.to_datetime(["2019-06-03 09:00", "2019-06-12 10:00"])
    opened = pd.to_datetime(["2019-06-03 11:30", "2019-06-13 08:00"])
    as_dates = time_to_event(pd.DataFrame({"s": sent, "o": opened}), "s", ["o"])
    as_text = time_to_event(
        pd.DataFrame({"s": sent.strftime("%d/%m/%Y %H:%M"), "o": opened.strftime("%d/%m/%Y %H:%M")}),
        "s",
        ["o"],
    )
    pd.testing.assert_frame_equal(as_dates, as_text)
    assert as_text["hours"].tolist() == pytest.approx([2.5, 22.0])


def test_month_first_column_is_read_month_first_and_said():
    df = pd.DataFrame({"sent": ["06/13/2019 09:00", "06/03/2019 09:00"],
                       "opened": ["06/13/2019 10:00", "06/04/2019 09:00"]})
    with pytest.warns(DataWarning, match="read month first"):
        times = time_to_event(df, "sent", ["opened"])
    assert times["hours"].tolist() == pytest.approx([1.0, 24.0])
    with pytest.raises(DataError, match=r"'06/13/2019 09:00', which is not a date when read day first"):
        time_to_event(df, "sent", ["opened"], day_first=True)


def test_time_to_event_names_a_non_date_and_never_suggests_a_misreading_call():
    df = pd.DataFrame({"sent": ["03/06/2019 09:00", "soon"], "opened": [None, "03/06/2019 10:00"]})
    with pytest.raises(DataError, match=r"column 'sent' holds 'soon', which is not a date") as info:
        time_to_event(df, "sent", ["opened"])
    assert "pd.to_datetime" not in str(info.value)
    numbers = pd.DataFrame({"sent": ["03/06/2019 09:00"], "opened": [2.5]})
    with pytest.raises(DataError, match="'opened' must hold dates") as info:
        time_to_event(numbers, "sent", ["opened"])
    assert "pd.to_datetime" not in str(info.value)


def test_an_event_without_its_start_is_counted_not_dropped_silently():
    df = pd.DataFrame({"sent": ["03/06/2019 09:00", None, "03/06/2019 09:00"],
                       "opened": ["03/06/2019 10:00", "03/06/2019 10:00", None]})
    with pytest.warns(DataWarning, match=r"1 of 2 rows left out: 'opened' is set but 'sent' is missing"):
        times = time_to_event(df, "sent", ["opened"])
    assert times["hours"].tolist() == [1.0]


def test_time_to_event_refuses_an_all_missing_event_column():
    df = pd.DataFrame({"sent": ["03/06/2019 09:00"] * 2, "opened": [None, None]})
    with pytest.raises(DataError, match="'opened' has no value at all"):
        time_to_event(df, "sent", ["opened"])


def test_funnel_order_is_checked_on_dates_read_day_first():
    # Opened 2 January, clicked 1 February: in order day first, backwards month first.
    df = pd.DataFrame({"creative": ["A", "B"], "opened": ["02/01/2019 10:00", None],
                       "clicked": ["01/02/2019 10:00", None]})
    report = funnel_report(df, "creative", ["opened", "clicked"])
    assert report["count"].tolist() == [1, 1, 1, 1, 0, 0]
    with pytest.raises(DataError, match=r"1 row\(s\) have 'clicked' earlier than 'opened' \(row 0\)"):
        funnel_report(df, "creative", ["opened", "clicked"], day_first=False)


def test_text_date_outcome_counts_where_present():
    df = emails(["03/06/2019", "", None, None, None, "13/06/2019", "14/06/2019 10:00", None, None, None])
    assert compare_arms(df, "creative", "clicked")["successes"].tolist() == [1, 2]


# --------------------------------------------------------------------------- numbers


def test_campaign_return_refuses_inf_decimal_commas_and_negative_amounts():
    df = pd.DataFrame({"creative": ["A", "A", "B"], "amount": [100.0, np.inf, 50.0]})
    before = df.copy()
    with pytest.raises(DataError, match=r"column 'amount' holds infinite values \(row 1\).*Replace"):
        campaign_return(df, "creative", "amount")
    pd.testing.assert_frame_equal(df, before)
    commas = df.assign(amount=["70,35", None, "1 200,50"])
    with pytest.raises(DataError, match=r"'amount' must hold numbers.*'70,35'.*decimal commas.*read_table"):
        campaign_return(commas, "creative", "amount")
    negative = df.assign(amount=[100.0, -20.0, 50.0])
    with pytest.raises(DataError, match=r"'amount' holds negative amounts \(row 1, such as -20\)"):
        campaign_return(negative, "creative", "amount")
    with pytest.raises(DataError, match="cost_per_email"):
        campaign_return(df.assign(amount=[1.0, 2.0, 3.0]), "creative", "amount", cost_per_email=np.nan)


def test_campaign_return_hand_computed():
    df = pd.DataFrame({"creative": ["A", "A", "B", "B"], "amount": [70.35, None, 0.0, 1200.5]})
    table = campaign_return(df, "creative", "amount", cost_per_email=0.5)
    assert table["sales"].tolist() == [1, 1]
    assert table["profit (€)"].tolist() == pytest.approx([69.35, 1199.5])


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ([10.0, np.inf, 0, 0, 0, 0, 5.0, 0, 0, 0], r"'clicked' holds infinite values \(row 1\)"),
        ([10.0, -3.0, 0, 0, 0, 0, 5.0, 0, 0, 0], r"'clicked' holds negative amounts or counts \(row 1"),
        (["70,35", None, None, None, None, None, "5,00", None, None, None], r"'70,35'.*decimal commas"),
    ],
)
def test_amount_outcomes_refuse_inf_negative_and_decimal_commas(amounts, message):
    with pytest.raises(DataError, match=message):
        compare_arms(emails(amounts), "creative", "clicked")


def test_amount_outcome_counts_where_non_zero():
    df = emails([70.35, 0.0, None, 0.0, 12.0, 0.0, 0.0, 0.0, 0.0, 3.0])
    assert compare_arms(df, "creative", "clicked")["successes"].tolist() == [2, 1]


@pytest.mark.parametrize(
    ("successes", "trials", "message"),
    [
        ({"A": 5, "B": np.inf}, {"A": 200, "B": 200}, r"'successes' holds infinite values \(row B\)"),
        ({"A": 5, "B": 3}, {"A": 200, "B": -200}, r"'trials' holds negative counts \(row B"),
        ({"A": "5", "B": "3,0"}, {"A": 200, "B": 200}, r"'successes' must hold numbers"),
        ({"A": 5, "B": np.nan}, {"A": 200, "B": 200}, r"successes of arm 'B' is nan"),
    ],
)
def test_compare_counts_refuses_inf_negative_and_text(successes, trials, message):
    with pytest.raises(DataError, match=message):
        compare_counts(successes, trials)
    with pytest.raises(DataError, match=message):
        chi_square_test(successes, trials)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: simulate_bandit({"A": 0.01, "B": np.inf}), "arm 'B' is inf"),
        (lambda: simulate_bandit({"A": 0.01, "B": "0,02"}), r"arm 'B' is '0,02'.*with a dot"),
        (lambda: sample_size(np.inf, 0.01), "baseline_rate"),
        (lambda: sample_size(0.03, np.nan), "min_detectable_effect"),
        (lambda: sample_size(0.03, 0.01, ratio=np.nan), "ratio"),
        (lambda: power_curve(0.03, 0.01, [100, np.inf]), "n_per_arm"),
        (lambda: power_curve(0.03, 0.01, ["1 000"]), "n_per_arm"),
    ],
)
def test_rates_and_sizes_refuse_inf_and_text(call, message):
    with pytest.raises(DataError, match=message):
        call()


# --------------------------------------------------------------------------- ids and arms


def test_mixed_int_and_text_arm_labels_are_one_arm():
    df = emails(YES_NO_COLUMNS["1/0 numbers"], arms=[1, "1", 1.0, "1.0", 1, 2, "2", 2, "2", 2])
    table = compare_arms(df, "creative", "clicked", control=1)
    assert table.index.tolist() == ["1", "2"]
    assert table["n"].tolist() == [5, 5]
    assert table["successes"].tolist() == [2, 3]
    money = campaign_return(df.assign(amount=[10.0] * 10), "creative", "amount")
    assert money["emails"].tolist() == [5, 5]


def test_compare_counts_matches_arms_as_text():
    table = compare_counts({1: 2, 2: 3}, {"1": 5, "2": 5}, control="1")
    assert table["rate"].tolist() == pytest.approx([0.4, 0.6])


def test_a_customer_number_is_not_an_arm_nor_a_group():
    df = pd.DataFrame({"customer_number": np.arange(100_001, 100_101), "clicked": [0, 1] * 50})
    with pytest.raises(DataError, match=r"'customer_number' has 100 different values.*not the arm"):
        compare_arms(df, "customer_number", "clicked")
    with pytest.raises(DataError, match=r"'customer_number' is an id.*Group by a category"):
        rate_table(df, "customer_number", "clicked")


def test_a_high_cardinality_group_is_grouped_into_other_and_said():
    # 120 towns: the first 20 have 20 e-mails each, the 100 others 2 each (600 rows).
    towns = [f"town {i:03d}" for i in range(20) for _ in range(20)]
    towns += [f"town {i:03d}" for i in range(20, 120) for _ in range(2)]
    df = pd.DataFrame({"town": towns, "clicked": [1, 0] * 300})
    message = r"'town' has 120 levels.*its 71 rarest levels are grouped into 'other'"
    with pytest.warns(DataWarning, match=message):
        table = rate_table(df, "town", "clicked")
    assert len(table) == 50
    assert table.loc["other", "n"] == 71 * 2  # towns 049 to 119, ranked by count then first seen
    assert table["n"].sum() == 600


def test_a_missing_group_is_counted_and_reported():
    df = emails(YES_NO_COLUMNS["Oui/Non"]).assign(segment=["x", None, "x", "y", "y"] * 2)
    with pytest.warns(DataWarning, match=r"2 of 10 rows left out: no value in 'segment'"):
        table = rate_table(df, "segment", "clicked")
    assert table["n"].tolist() == [4, 4]
    # x: rows 0, 2, 5, 7 -> clicks on 0, 5, 7; y: rows 3, 4, 8, 9 -> none.
    assert table["successes"].tolist() == [3, 0]


def test_a_missing_arm_is_refused_with_its_rows():
    df = emails(YES_NO_COLUMNS["Oui/Non"], arms=["A"] * 4 + [None] + ["B"] * 5)
    with pytest.raises(DataError, match=r"'creative' has 1 missing value\(s\) \(row 4\)"):
        compare_arms(df, "creative", "clicked")
    with pytest.raises(DataError, match=r"row 4"):
        funnel_report(df, "creative", ["clicked"])


def test_summarise_bandit_and_names_of_bad_levels():
    runs = simulate_bandit({"A": 0.01, "B": 0.03}, 2000, ["fixed", "thompson"], n_campaigns=5)
    with pytest.raises(DataError, match="level must be a probability"):
        summarise_bandit(runs, level=95)
    with pytest.raises(DataError, match="level must be a probability"):
        compare_counts({"A": 1, "B": 2}, {"A": 10, "B": 10}, level=1.0)


# --------------------------------------------------------------------------- laws

VOCABULARIES = [("Oui", "Non"), ("vrai", "FAUX"), (" yes ", "no"), ("1", "0"), (True, False), (1, 0)]


@settings(max_examples=25, deadline=None)
@given(
    hits=st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.booleans()), min_size=6, max_size=60),
    words=st.sampled_from(VOCABULARIES),
)
def test_counts_do_not_depend_on_the_yes_no_vocabulary(hits, words):
    arms = [arm for arm, _ in hits]
    if len(set(arms)) < 2:
        arms[0], arms[1] = "A", "B"
    yes, no = words
    df = pd.DataFrame({"arm": arms, "won": [yes if hit else no for _, hit in hits]})
    table = rate_table(df, "arm", "won")
    expected = pd.Series([hit for _, hit in hits]).groupby(pd.Series(arms)).sum()
    assert table["successes"].tolist() == expected.tolist()
    assert compare_arms(df, "arm", "won")["successes"].tolist() == expected.tolist()


@settings(max_examples=25, deadline=None)
@given(
    sends=st.lists(
        st.tuples(
            st.datetimes(min_value=pd.Timestamp("2019-01-01").to_pydatetime(),
                         max_value=pd.Timestamp("2024-12-31").to_pydatetime()),
            st.integers(0, 72 * 60),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_day_first_text_gives_the_times_of_the_dates(sends):
    sent = pd.DatetimeIndex([s for s, _ in sends]).floor("min")
    opened = sent + pd.to_timedelta([m for _, m in sends], unit="min")
    text = pd.DataFrame({"s": sent.strftime("%d/%m/%Y %H:%M"), "o": opened.strftime("%d/%m/%Y %H:%M")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no month-first guess on day-first text
        times = time_to_event(text, "s", ["o"], time_unit="minutes")
    assert times["minutes"].tolist() == pytest.approx([m for _, m in sends])


def test_a_0_1_column_with_gaps_is_refused_and_filling_it_works():
    # Like repeat_3m: known only for the buyers.
    kept = pd.array([1, None, None, 0, None, 1, 1, None, None, None], dtype="Int64")
    df = emails(kept)
    with pytest.raises(DataError, match=r"'clicked' has 6 missing value\(s\) \(rows 1, 2, 4 and 3 more\)"):
        compare_arms(df, "creative", "clicked")
    filled = df.assign(clicked=df["clicked"].fillna(0))
    assert compare_arms(filled, "creative", "clicked")["successes"].tolist() == [1, 2]


def test_cells_holding_lists_are_refused_not_a_type_error():
    df = emails([[1]] * 10)
    with pytest.raises(DataError, match=r"'clicked' must say whether.*'\[1\]'"):
        compare_arms(df, "creative", "clicked")
    with pytest.raises(DataError, match="'clicked' must hold dates but holds lists"):
        time_to_event(df.assign(sent=pd.Timestamp("2019-06-03")), "sent", ["clicked"])
