"""One call that puts a notebook in the course's settings: :func:`setup_notebook`."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pandas as pd

COURSE_SEED = 42


def setup_notebook(seed: int = COURSE_SEED, precision: int = 3) -> None:
    """Apply the course's display settings, seeds and warning policy to this session.

    Call it once in a notebook's setup cell. Importing :mod:`mlmarketing` changes nothing;
    this function is the one place that does, and only for the running session:

    - figures: inline PNG figures (even if the ``MPLBACKEND`` variable asks for none),
      the seaborn "whitegrid" theme with a colour-blind-safe palette, a size that reads on
      a projector;
    - tables: numbers shown with ``precision`` decimals, wide tables not cut;
    - randomness: Python's and NumPy's global seeds set to ``seed`` (the kit's own helpers
      take a ``random_state`` argument and do not depend on these);
    - warnings: library deprecation notices hidden (students cannot act on them); every
      other warning, such as a model that did not converge, still shows.

    Parameters
    ----------
    seed : int, default 42
        Seed for :mod:`random` and :func:`numpy.random.seed`.
    precision : int, default 3
        Decimals shown in DataFrames.

    Examples
    --------
    >>> setup_notebook()
    >>> pd.get_option("display.precision")
    3
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    _inline_png_figures()
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.titleweight": "bold",
            "axes.titlesize": "large",
            # PNG only: SVG output embeds a date and changes at every run.
            "svg.hashsalt": "mlmarketing",
        }
    )
    pd.set_option("display.precision", precision)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (students' own np.random calls become repeatable)
    for category in (FutureWarning, DeprecationWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category)


def _inline_png_figures() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to configure
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    shell.run_line_magic("matplotlib", "inline")
    shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
