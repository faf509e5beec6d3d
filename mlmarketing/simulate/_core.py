"""What every generator returns, and the one way datasets are written to CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Simulation:
    """A generator's output: tables by file name, and the truth planted in them."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any] = field(default_factory=dict)


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """The bytes a dataset is shipped as: UTF-8, comma, ``\\n`` line ends, ISO dates.

    Booleans are written 0/1, so that any spreadsheet or language reads them as numbers;
    a date column whose times are all midnight is written without its time.
    """
    out = table.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series):
            out[column] = series.astype(int)
        elif pd.api.types.is_datetime64_any_dtype(series):
            midnight = (series.dropna() == series.dropna().dt.normalize()).all()
            out[column] = series.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S")
    text = out.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    """A NumPy generator from a seed (or the generator itself)."""
    return np.random.default_rng(random_state)
