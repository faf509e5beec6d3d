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
