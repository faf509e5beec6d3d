"""Scale budget of mlmarketing.scoring (issue: churn prediction and its levers).

compare_models with its three default models (baseline, logistic regression, gradient
boosting) and 5-fold cross-validation on 1,000,000 customers x 20 columns (the churn
generator's 19 features and its target, TotalCharges as text with blanks included) must
finish in under 3 minutes. The table is simulated when this file is loaded, so that the
timing covers compare_models only.
"""

from __future__ import annotations

from mlmarketing.scoring import compare_models
from mlmarketing.simulate.churn import FILE, simulate_churn

N_CUSTOMERS = 1_000_000
TABLE = (
    simulate_churn(n_customers=N_CUSTOMERS, random_state=1).tables[FILE].drop(columns="customerID")
)
assert TABLE.shape == (N_CUSTOMERS, 20)


def compare_three_models_on_a_million_rows() -> None:
    table = compare_models(TABLE, "Churn", cv=5, random_state=0)
    assert len(table) == 3


BENCHMARKS = [
    (
        "compare_models, 3 models, 5-fold, 1,000,000 x 20",
        180.0,
        compare_three_models_on_a_million_rows,
    ),
]
