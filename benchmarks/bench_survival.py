"""Scale budget of mlmarketing.survival: the Cox model on 200,000 accounts x 10 covariates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.survival import cox_model

N_ACCOUNTS = 200_000
N_COVARIATES = 10


def _accounts() -> pd.DataFrame:
    gen = np.random.default_rng(0)
    x = gen.normal(size=(N_ACCOUNTS, N_COVARIATES))
    beta = np.linspace(-0.3, 0.3, N_COVARIATES)
    lifetime = 26 * (gen.exponential(size=N_ACCOUNTS) / np.exp(x @ beta)) ** (1 / 0.8)
    follow_up = gen.uniform(1, 48, N_ACCOUNTS)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(N_COVARIATES)])
    frame["months"] = np.round(np.minimum(lifetime, follow_up) * 30.4375) / 30.4375 + 1e-3
    frame["left"] = (lifetime <= follow_up).astype(int)
    return frame


def run_cox() -> None:
    frame = _accounts()
    cox_model(frame, "months", "left", [f"x{i}" for i in range(N_COVARIATES)])


BENCHMARKS = [("cox_model, 200,000 accounts x 10 covariates", 30.0, run_cox)]
