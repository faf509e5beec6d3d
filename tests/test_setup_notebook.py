"""setup_notebook changes the session's settings, and only when called."""

from __future__ import annotations

import subprocess
import sys


def test_setup_notebook_applies_the_course_settings():
    code = (
        "import warnings, random, numpy as np, pandas as pd, matplotlib\n"
        "import mlmarketing\n"
        "assert pd.get_option('display.precision') == 6\n"
        "mlmarketing.setup_notebook(seed=7, precision=2)\n"
        "assert pd.get_option('display.precision') == 2\n"
        "assert matplotlib.rcParams['figure.figsize'] == [7.0, 4.0]\n"
        "first = np.random.rand(); random_first = random.random()\n"
        "mlmarketing.setup_notebook(seed=7, precision=2)\n"
        "assert np.random.rand() == first and random.random() == random_first\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.warn('old API', FutureWarning)\n"
        "    warnings.warn('did not converge', RuntimeWarning)\n"
        "assert [w.category.__name__ for w in caught] == ['RuntimeWarning'], caught\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
