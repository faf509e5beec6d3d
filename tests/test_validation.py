"""The shared input checks give messages that name the problem and the fix."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlmarketing import DataError
from mlmarketing._validation import as_binary, check_columns, check_frame, check_numeric


def test_check_frame():
    with pytest.raises(DataError, match="must be a pandas DataFrame, got list"):
        check_frame([1, 2])
    with pytest.raises(DataError, match="has 0 row"):
        check_frame(pd.DataFrame({"a": []}))
    with pytest.raises(DataError, match="at least 5"):
        check_frame(pd.DataFrame({"a": [1]}), min_rows=5)


def test_check_columns_suggests_a_close_name():
    df = pd.DataFrame({"Chiffre d'affaires": [1.0], "âge": [30]})
    assert check_columns(df, ["âge"]) == ["âge"]
    with pytest.raises(DataError, match=r"feature 'age' is not a column.*Did you mean 'âge'\?"):
        check_columns(df, ["age"], role="feature")


def test_check_numeric_names_the_bad_value():
    df = pd.DataFrame({"spend": ["12,5", "3"], "ok": [1.0, None]})
    check_numeric(df, ["ok"])
    with pytest.raises(DataError, match=r"'spend' must hold numbers.*'12,5'.*read_table"):
        check_numeric(df, ["spend"])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Yes", "No", "yes"], [1, 0, 1]),
        ([True, False, True], [1, 0, 1]),
        ([1, 0, 0], [1, 0, 0]),
        (["1", "0"], [1, 0]),
        ([1.0, 0.0], [1, 0]),
        (["Oui", "non"], [1, 0]),
    ],
)
def test_as_binary_understands_common_codings(values, expected):
    assert as_binary(pd.Series(values)).tolist() == expected


def test_as_binary_bad_inputs():
    with pytest.raises(DataError, match="single class"):
        as_binary(pd.Series(["No", "No"], name="Churn"))
    with pytest.raises(DataError, match="'Churn'.*'Maybe'"):
        as_binary(pd.Series(["Yes", "Maybe"], name="Churn"))
    with pytest.raises(DataError, match="1 missing"):
        as_binary(pd.Series(["Yes", None, "No"], name="Churn"))


@given(st.lists(st.booleans(), min_size=2).filter(lambda v: len(set(v)) == 2))
def test_as_binary_keeps_order_and_index(values):
    series = pd.Series(["Yes" if v else "No" for v in values], index=range(100, 100 + len(values)))
    out = as_binary(series)
    assert out.index.equals(series.index)
    assert out.tolist() == [int(v) for v in values]


# ----------------------------------------------------------------------------- the rulebook readers

import datetime as _dt  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from mlmarketing import DataWarning  # noqa: E402
from mlmarketing._validation import (  # noqa: E402
    category_limit,
    group_rare_levels,
    looks_like_id,
    read_date,
    read_dates,
    read_ids,
    read_yes_no,
)


def test_dates_are_read_day_first_like_in_france():
    dates = read_dates(pd.Series(["01/02/2024", "31.12.2024", "05-03-24", "2024-02-01", None, " "]))
    assert dates.tolist()[:4] == [pd.Timestamp(2024, 2, 1), pd.Timestamp(2024, 12, 31),
                                  pd.Timestamp(2024, 3, 5), pd.Timestamp(2024, 2, 1)]
    assert dates.isna().tolist()[4:] == [True, True]


def test_a_month_first_column_is_read_month_first_and_said():
    with pytest.warns(DataWarning, match="month first.*'12/31/2024'"):
        dates = read_dates(pd.Series(["01/02/2024", "12/31/2024"], name="sent"))
    assert dates.tolist() == [pd.Timestamp(2024, 1, 2), pd.Timestamp(2024, 12, 31)]


def test_date_order_can_be_forced():
    assert read_dates(pd.Series(["01/02/2024"]), day_first=False).iloc[0] == pd.Timestamp(2024, 1, 2)
    with pytest.raises(DataError, match="'12/31/2024'.*day first"):
        read_dates(pd.Series(["12/31/2024"], name="d"), day_first=True)


@pytest.mark.parametrize("bad", [["hello"], ["31/02/2024"], ["13/13/2024"], ["31/12/2024", "12/31/2024"]])
def test_a_value_that_is_not_a_date_is_named(bad):
    with pytest.raises(DataError, match=r"column 'd'.*(hello|31/02|13/13|12/31)"):
        read_dates(pd.Series(bad, name="d"))


def test_dates_refuse_numbers_and_keep_times():
    with pytest.raises(DataError, match="not numbers such as 45000"):
        read_dates(pd.Series([45000, 45001], name="d"))
    stamp = read_dates(pd.Series(["03/06/2024 14:05"])).iloc[0]
    assert stamp == pd.Timestamp(2024, 6, 3, 14, 5)


def test_single_date_arguments_read_like_columns():
    assert read_date("01/12/2024", "as_of") == pd.Timestamp(2024, 12, 1)
    assert read_date(_dt.date(2024, 12, 1), "as_of") == pd.Timestamp(2024, 12, 1)
    assert read_date(np.datetime64("2024-12-01"), "as_of") == pd.Timestamp(2024, 12, 1)
    with pytest.raises(DataError, match="as_of must be a date"):
        read_date(20241201, "as_of")
    with pytest.raises(DataError, match="as_of is 'demain'"):
        read_date("demain", "as_of")


@given(st.dates(min_value=_dt.date(1970, 1, 1), max_value=_dt.date(2068, 12, 31)))
def test_a_date_written_day_first_and_iso_reads_the_same(day):
    written = pd.Series([day.strftime("%d/%m/%Y"), day.isoformat(), day.strftime("%d.%m.%Y")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # day-first text is never taken for month-first
        read = read_dates(written)
    assert read.nunique() == 1 and read.iloc[0] == pd.Timestamp(day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Vrai", True), ("faux", False), (" OUI ", True), ("non", False), ("y", True), ("N", False),
     ("TRUE", True), ("false", False), ("1", True), ("0.0", False), (1, True), (0, False)],
)
def test_one_yes_no_vocabulary(text, expected):
    assert read_yes_no(pd.Series([text, "no" if expected else "yes"], dtype=object)).iloc[0] == expected


def test_yes_no_refuses_the_unknown_and_the_empty():
    with pytest.raises(DataError, match="'opened'.*'peut-être'"):
        read_yes_no(pd.Series(["oui", "peut-être"], name="opened"))
    with pytest.raises(DataError, match="'opened' has no value at all"):
        read_yes_no(pd.Series([None, None], name="opened"), allow_missing=True)
    with pytest.raises(DataError, match="1 missing"):
        read_yes_no(pd.Series(["oui", None], name="opened"))
    kept = read_yes_no(pd.Series(["oui", None]), allow_missing=True)
    assert kept.iloc[0] and pd.isna(kept.iloc[1])


def test_infinite_text_and_negative_numbers_are_refused_with_the_rows():
    df = pd.DataFrame({"spend": [1.0, np.inf, -np.inf], "t": ["70,35", "1 234,50", "3"],
                       "u": ["1,234.5", "2", "3"], "v": ["1", "2", "3"], "d": [1, -2, 3]})
    with pytest.raises(DataError, match=r"'spend' holds infinite values \(rows 1, 2\)"):
        check_numeric(df, ["spend"])
    with pytest.raises(DataError, match="decimal commas.*read_table.*str.replace"):
        check_numeric(df, ["t"])
    with pytest.raises(DataError, match="thousands separators"):
        check_numeric(df, ["u"])
    with pytest.raises(DataError, match="stored as text.*pd.to_numeric"):
        check_numeric(df, ["v"])
    check_numeric(df, ["d"])
    with pytest.raises(DataError, match=r"'d' holds negative durations \(row 1"):
        check_numeric(df, ["d"], non_negative=True, what="durations")


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_ids_seven_and_quoted_seven_are_one_customer(number):
    written = [number, str(number), f"{number}.0", float(number), f" {number} "]
    ids = read_ids(pd.Series(written, dtype=object))
    assert ids.nunique() == 1 and ids.iloc[0] == str(number)


def test_ids_missing_are_refused():
    with pytest.raises(DataError, match="'client' has 1 missing id"):
        read_ids(pd.Series(["a", None], name="client"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("customerID", True), ("CustomerId", True), ("numero_client", True), ("client no", True),
     ("id", True), ("user_id", True), ("paid", False), ("valid", False), ("number_of_orders", False),
     ("age", False), ("number_customer_service_calls", False), ("customer_number", True),
     ("num_client", True)],
)
def test_id_columns_are_recognised_by_name(name, expected):
    assert looks_like_id(pd.Series([1, 1, 2]), name) is expected


def test_id_columns_are_recognised_by_uniqueness():
    assert looks_like_id(pd.Series(range(1000, 1100), name="x"))
    assert not looks_like_id(pd.Series(range(40), name="x"))  # whole numbers: 100 rows at least
    assert looks_like_id(pd.Series([f"C{i:04d}" for i in range(50)], name="x"))
    assert not looks_like_id(pd.Series(np.linspace(0, 1, 100), name="x"))
    assert not looks_like_id(pd.Series(range(10), name="x"))  # too few rows to tell


def test_rare_levels_are_grouped():
    assert category_limit(20_000) == 50 and category_limit(200) == 10 and category_limit(10) == 2
    series = pd.Series([f"town {i % 300}" for i in range(1000)] + [None])
    grouped, n = group_rare_levels(series)
    assert grouped.nunique() == 50 and n == 251 and "other" in set(grouped) and pd.isna(grouped.iloc[-1])
    same, none = group_rare_levels(pd.Series(list("abab")))
    assert none == 0 and same.tolist() == list("abab")
