"""French number, money, percentage and date formats for sentences of the French edition.

The notebooks print their conclusions as sentences built from the outputs. The English edition
writes ``f"{gain:,.0f} EUR"``; the French one writes ``f"{fr.euros(gain)}"``, which reads
``49 770 €``: a narrow no-break space between thousands, a decimal comma, a no-break space before
``€`` and ``%``, as French typography wants. Both editions import this module (their code is the
same apart from strings and comments); only the French one calls it.

Examples
--------
>>> from mlmarketing import fr
>>> fr.euros(49770.4)
'49\u202f770\xa0€'
>>> fr.percent(0.267)
'26,7\xa0%'
"""

from __future__ import annotations

import math
from numbers import Real

import pandas as pd

from mlmarketing._errors import DataError

THOUSANDS = "\u202f"  # narrow no-break space: "49 770", never cut at the end of a line
UNIT_SPACE = "\xa0"  # no-break space before a unit: "26,7 %", "49 770 €"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


def number(value: Real, decimals: int = 0) -> str:
    """``value`` written the French way, with ``decimals`` decimals.

    Parameters
    ----------
    value : real number
        The number; ``NaN`` is written ``n.d.`` (*non disponible*).
    decimals : int, default 0
        Digits after the decimal comma.

    Returns
    -------
    str
        For instance ``3 909`` or ``0,308`` (thousands separated by a narrow no-break space).

    Examples
    --------
    >>> number(3909)
    '3\u202f909'
    >>> number(0.30812, 3)
    '0,308'
    >>> number(-1234.5, 1)
    '-1\u202f234,5'
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise DataError(f"fr.number expects a number, got {value!r} ({type(value).__name__}); "
                        "pass the number itself, e.g. fr.number(float(x)).")
    if not isinstance(decimals, int) or decimals < 0:
        raise DataError(f"decimals must be a whole number >= 0, got {decimals!r}.")
    if math.isnan(value):
        return "n.d."
    text = f"{value:,.{decimals}f}"
    return text.replace(",", THOUSANDS).replace(".", ",")


def euros(value: Real, decimals: int = 0) -> str:
    """An amount in euros written the French way: ``49 770 €``.

    Examples
    --------
    >>> euros(49770)
    '49\u202f770\xa0€'
    >>> euros(2.5, 2)
    '2,50\xa0€'
    """
    return f"{number(value, decimals)}{UNIT_SPACE}€"


def percent(share: Real, decimals: int = 1) -> str:
    """A share (0.267) written as a French percentage: ``26,7 %`` (like ``f"{share:.1%}"``).

    Examples
    --------
    >>> percent(0.267)
    '26,7\xa0%'
    >>> percent(0.05, 0)
    '5\xa0%'
    """
    if isinstance(share, bool) or not isinstance(share, Real):
        raise DataError(f"fr.percent expects a share such as 0.267, got {share!r}.")
    return f"{number(share * 100, decimals)}{UNIT_SPACE}%"


def date(value, day: bool = True) -> str:
    """A date written the French way: ``12 février 2024`` (or ``février 2024`` with ``day=False``).

    Examples
    --------
    >>> date("2024-02-12")
    '12 février 2024'
    >>> date(pd.Timestamp("2024-05-06"), day=False)
    'mai 2024'
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise DataError(f"fr.date cannot read {value!r} as a date ({error}); pass a date or "
                        "a 'YYYY-MM-DD' text.") from None
    if pd.isna(stamp):
        return "n.d."
    month = f"{MONTHS[stamp.month - 1]} {stamp.year}"
    return f"{'1er' if stamp.day == 1 else stamp.day} {month}" if day else month
