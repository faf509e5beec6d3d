"""French formats of the French edition's sentences (mlmarketing.fr)."""

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlmarketing import DataError, fr
from tests.editions import numbers_in


def test_hand_written_examples():
    assert fr.number(49770) == "49\u202f770"
    assert fr.number(1234567.891, 2) == "1\u202f234\u202f567,89"
    assert fr.number(0.5) == "0"  # rounds half to even, like Python's own format
    assert fr.number(-3.25, 1) == "-3,2"
    assert fr.euros(3510) == "3\u202f510\xa0€"
    assert fr.percent(0.267) == "26,7\xa0%"
    assert fr.percent(1) == "100,0\xa0%"
    assert fr.date("2024-03-01") == "1er mars 2024"
    assert fr.date("2024-08-15") == "15 août 2024"
    assert fr.number(float("nan")) == "n.d."


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 4))
def test_a_french_number_reads_back_as_the_english_one(value, decimals):
    english = f"{value:,.{decimals}f}"
    assert numbers_in(fr.number(value, decimals), "fr") == numbers_in(english, "en")


@pytest.mark.parametrize("bad", ["12", None, True, [1]])
def test_not_a_number_is_named(bad):
    with pytest.raises(DataError, match="expects a number"):
        fr.number(bad)


def test_bad_decimals_and_dates_are_named():
    with pytest.raises(DataError, match="decimals"):
        fr.number(1.0, -1)
    with pytest.raises(DataError, match="cannot read 'soon'"):
        fr.date("soon")
    assert fr.date(pd.NaT) == "n.d."
    assert not math.isnan(float(fr.number(2.0).replace(",", ".")))
