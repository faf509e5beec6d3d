"""What every generator returns, and the one way datasets are written to CSV."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Simulation:
    """A generator's output: tables by file name, images by path, and the truth planted in them."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any] = field(default_factory=dict)
    # Images shipped beside the tables: path relative to the dataset folder -> RGB pixels (uint8).
    images: Mapping[str, np.ndarray] = field(default_factory=dict)


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



# JPEG, as social networks store photos; 85 is a common export quality (a PNG would be 3 times larger).
JPEG_QUALITY = 85


def image_bytes(pixels: np.ndarray) -> bytes:
    """The bytes an image is shipped as: a baseline JPEG of the RGB pixels, quality 85, no metadata."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8), mode="RGB").save(
        buffer, format="JPEG", quality=JPEG_QUALITY
    )
    return buffer.getvalue()


def same_image(stored: bytes, expected: bytes) -> bool:
    """Whether a stored image file is the expected one: the same bytes, or else the same pixels.

    The pixels are the fallback for a JPEG library that writes its headers differently; a file
    whose pixels changed is never the same image.
    """
    if stored == expected:
        return True
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(stored)) as a, Image.open(io.BytesIO(expected)) as b:
            return a.size == b.size and np.array_equal(np.asarray(a), np.asarray(b))
    except OSError:
        return False
