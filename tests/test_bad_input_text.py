"""mlmarketing.text on the awkward input of a real export.

Day-first and month-first text dates, Oui/Non and Vrai/Faux columns, inf and decimal-comma
confidences, an unknown ``freq``, texts made only of stop words, missing flags and labels. Each
call gives the hand-computed answer or a DataError naming the column or value and the fix.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmarketing import DataError, DataWarning, text

# Two weeks of messages: 13/03 is a Wednesday, 18/03 the next Monday.
MESSAGES = pd.DataFrame(
    {
        "date": ["13/03/2024", "14/03/2024", "15/03/2024", "18/03/2024", "19/03/2024", "20/03/2024"],
        "needs a person": ["Oui", "non", "NON", "oui ", "Oui", "Non"],
        "escalated": ["Vrai", "Faux", "faux", "vrai", "Vrai", "Faux"],
        "sentiment": ["negative", "positive", "neutral", "negative", "negative", "neutral"],
    }
)
WEEKS = list(pd.to_datetime(["2024-03-11", "2024-03-18"]))


# ---------------------------------------------------------------- dates


def test_day_first_text_dates_make_the_right_weeks():
    table = text.share_alerts(MESSAGES, "date", "sentiment", "negative", min_history=1)
    assert table["period"].tolist() == WEEKS
    assert table["messages"].tolist() == [3, 3] and table["flagged"].tolist() == [1, 2]
    # week 2: expected 1/3 from week 1, limit 1/3 + 3 * sqrt(1/3 * 2/3 / 3) = 1.14, clipped to 1
    assert table["expected"].iloc[1] == pytest.approx(1 / 3)
    assert table["upper limit"].iloc[1] == pytest.approx(1.0)


def test_month_first_dates_are_read_month_first_and_said():
    us = MESSAGES.assign(date=["03/13/2024", "03/14/2024", "03/15/2024", "03/18/2024", "03/19/2024",
                               "03/20/2024"])
    with pytest.warns(DataWarning, match="'date' is read month first"):
        table = text.share_alerts(us, "date", "sentiment", "negative", min_history=1)
    assert table["period"].tolist() == WEEKS


def test_a_value_that_is_not_a_date_is_named():
    with pytest.raises(DataError, match=r"column 'date' holds '32/03/2024'.*not a date"):
        text.share_alerts(MESSAGES.assign(date=["32/03/2024"] + MESSAGES["date"].tolist()[1:]),
                          "date", "sentiment", "negative")


def test_a_missing_date_is_refused_with_its_row():
    gap = MESSAGES.assign(date=MESSAGES["date"].where(MESSAGES.index != 2))
    with pytest.raises(DataError, match=r"'date' has 1 missing date\(s\) \(row 2\).*dropna"):
        text.share_alerts(gap, "date", "sentiment", "negative")


@pytest.mark.parametrize("freq", ["month", "M", "ME", "week", "2W", "h", 7])
def test_an_unknown_freq_is_named_with_the_valid_ones(freq):
    with pytest.raises(DataError, match=rf"freq={freq!r} is not a period.*'W-MON'.*'MS'"):
        text.share_alerts(MESSAGES, "date", "sentiment", "negative", freq=freq)


# ---------------------------------------------------------------- yes/no columns


@pytest.mark.parametrize("column", ["needs a person", "escalated"])
def test_yes_no_columns_are_read_whatever_the_spelling(column):
    table = text.share_alerts(MESSAGES, "date", column, True, min_history=1)
    assert table["flagged"].tolist() == [1, 2]  # Oui / Vrai: 13/03; 18/03 and 19/03
    noes = text.share_alerts(MESSAGES, "date", column, False, min_history=1)
    assert noes["flagged"].tolist() == [2, 1]


def test_an_unknown_yes_no_value_is_named():
    answers = ["Oui", "peut-être"] + MESSAGES["needs a person"].tolist()[2:]
    odd = MESSAGES.assign(**{"needs a person": answers})
    with pytest.raises(DataError, match=r"'needs a person' must be yes/no.*'peut-être'"):
        text.share_alerts(odd, "date", "needs a person", True)


def test_missing_flags_are_left_out_and_counted():
    gap = MESSAGES.assign(sentiment=MESSAGES["sentiment"].where(MESSAGES.index != 5))
    with pytest.warns(DataWarning, match=r"1 of 6 rows left out: no value in column 'sentiment'"):
        table = text.share_alerts(gap, "date", "sentiment", "negative", min_history=1)
    assert table["messages"].tolist() == [3, 2]


def test_an_all_missing_flag_column_is_an_error_not_zero_alerts():
    with pytest.raises(DataError, match=r"column 'sentiment' has no value at all"):
        text.share_alerts(MESSAGES.assign(sentiment=None), "date", "sentiment", "negative")


def test_yes_no_labels_are_one_class_and_route_like_text():
    texts = ["je veux parler a un conseiller", "appelez moi svp", "ou est mon colis", "suivi colis"] * 3
    labels = pd.Series(["Oui", "oui ", "NON", "Non"] * 3, name="needs a person")
    model = text.train_text_classifier(texts, labels)
    assert model.classes_.tolist() == [False, True]
    with pytest.raises(DataError, match=r"^column 'needs a person' must be yes/no.*'peut-etre'"):
        text.train_text_classifier(texts, labels.where(labels.index != 3, "peut-etre"))
    verdict = text.predict_with_confidence(model, ["un conseiller svp", "mon colis"])
    report = text.routing_report(pd.Series(["Vrai", "faux"], name="needs a person"), verdict["predicted"],
                                 verdict["confidence"], thresholds=[0.0])
    assert report["errors"].tolist() == [0]  # Vrai = True, faux = False


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "confidence, match",
    [
        ([0.9, np.inf], r"column 'confidence' holds infinite values \(row 1\)"),
        (["0,9", "0,4"], r"'confidence'.*decimal commas"),
        ([0.9, 1.5], r"between 0 and 1.*row 1 hold\(s\) 1.5"),
        ([0.9, -0.2], r"between 0 and 1.*row 1"),
        ([0.9, None], r"between 0 and 1.*row 1"),
    ],
)
def test_bad_confidences_are_refused_with_the_fix(confidence, match):
    with pytest.raises(DataError, match=match):
        text.routing_report(["a", "b"], ["a", "a"], confidence)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: text.routing_report(["a"], ["a"], [0.5], thresholds=[np.inf]),
         "'thresholds' holds infinite"),
        (lambda: text.routing_report(["a"], ["a"], [0.5], thresholds=[1.5]), "thresholds must be numbers"),
        (lambda: text.routing_report(["a"], ["a"], [0.5], level=1.0), "level must be a probability"),
        (lambda: text.share_alerts(MESSAGES, "date", "sentiment", "negative", z=-1), "z must be a positive"),
        (lambda: text.share_alerts(MESSAGES, "date", "sentiment", "negative", min_history=0),
         "min_history must be a whole number"),
        (lambda: text.train_text_classifier(["a b", "c d"], ["x", "y"], C=np.inf), "C must be a positive"),
        (lambda: text.train_text_classifier(["a b", "c d"], ["x", "y"], characters="yes"),
         "characters must be True or False"),
        (lambda: text.find_topics(["colis perdu", "facture", "colis", "retard"], 2, n_terms=0), "n_terms"),
    ],
)
def test_impossible_numbers_are_refused(call, match):
    with pytest.raises(DataError, match=match):
        call()


def test_numeric_labels_with_inf_are_refused():
    with pytest.raises(DataError, match=r"'labels' holds infinite values"):
        text.train_text_classifier(["colis perdu", "facture fausse"], [1.0, np.inf])


# ---------------------------------------------------------------- texts the library underneath cannot use


@pytest.mark.parametrize("texts", [["le la", "et de", "un une", "les des"], ["a b", "c d", "e f", "g h"]])
def test_texts_with_no_usable_word_say_what_to_do(texts):
    with pytest.raises(DataError, match="no word to work with.*Pass more messages"):
        text.find_topics(texts, n_topics=2)
    with pytest.raises(DataError, match="no word to work with"):
        text.top_terms(texts, ["x", "y", "x", "y"])


def test_missing_labels_are_named_with_their_rows():
    with pytest.raises(DataError, match=r"'intent' has 1 missing label\(s\) \(row 1\)"):
        text.train_text_classifier(["colis perdu", "facture", "retard"],
                                   pd.Series(["a", None, "b"], name="intent"))


def test_the_callers_table_is_left_alone():
    before = MESSAGES.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning on clean day-first input
        text.share_alerts(MESSAGES, "date", "needs a person", True, freq="MS")
    pd.testing.assert_frame_equal(MESSAGES, before)


# ---------------------------------------------------------------- laws


@settings(max_examples=30, deadline=None)
@given(
    days=st.lists(st.integers(0, 120), min_size=1, max_size=40),
    flags=st.data(),
    freq=st.sampled_from(["D", "W-MON", "W", "MS", "QS"]),
)
def test_periods_partition_the_messages_whatever_the_date_format(days, flags, freq):
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    flagged = flags.draw(st.lists(st.booleans(), min_size=len(days), max_size=len(days)))
    if not any(flagged):
        return
    iso = pd.DataFrame({"date": dates, "flag": ["Oui" if f else "Non" for f in flagged]})
    french = iso.assign(date=dates.strftime("%d/%m/%Y"))
    table = text.share_alerts(iso, "date", "flag", True, freq=freq, min_history=1)
    pd.testing.assert_frame_equal(text.share_alerts(french, "date", "flag", True, freq=freq, min_history=1),
                                  table)
    assert table["messages"].sum() == len(days) and table["flagged"].sum() == sum(flagged)
    assert table["period"].is_monotonic_increasing and (table["period"] <= dates.max()).all()
    # every date falls in the period that starts at or before it, and before the next one
    starts = table["period"].to_numpy()
    position = np.searchsorted(starts, dates.to_numpy(), side="right") - 1
    assert (position >= 0).all()
