"""BG/NBD and Gamma-Gamma fitted on the distinct rows of a summary, weighted by their customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlmarketing import DataError, load_dataset
from mlmarketing.clv import BetaGeo, GammaGamma, compress_summary, summary_from_transactions


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return summary_from_transactions(load_dataset("cdnow"), "customer_id", "date", "amount",
                                     as_of="1998-06-30", calibration_end="1997-09-30")


def test_compressed_bgnbd_fit_equals_the_uncompressed_one(summary):
    compressed = compress_summary(summary)
    assert len(compressed) < len(summary) / 2
    assert compressed["customers"].sum() == len(summary)
    full = BetaGeo().fit(summary)
    weighted = BetaGeo(weights="customers").fit(compressed)
    for name in full.params_:
        assert weighted.params_[name] == pytest.approx(full.params_[name], rel=1e-7)
        assert weighted.standard_errors_[name] == pytest.approx(full.standard_errors_[name], rel=1e-4)
    assert weighted.log_likelihood_ == pytest.approx(full.log_likelihood_, rel=1e-12)
    assert weighted.n_customers_ == full.n_customers_ == len(summary)
    # Predictions on the distinct rows are those of the customers they stand for.
    alive = weighted.probability_alive(compressed)
    merged = summary.reset_index().merge(compressed.assign(alive=alive.to_numpy()),
                                         on=["frequency", "recency", "age"])
    np.testing.assert_allclose(merged["alive"], full.probability_alive(summary).loc[merged["customer_id"]],
                               rtol=1e-6)


def test_compressed_likelihood_is_the_sum_over_customers(summary):
    compressed = compress_summary(summary)
    x_all, x_few = summary["frequency"].to_numpy(float), compressed["frequency"].to_numpy(float)
    for log_params in (np.zeros(4), np.log([0.3, 5.0, 0.9, 2.0])):
        levels, index = np.unique(x_all, return_inverse=True)
        full = BetaGeo._neg_log_likelihood(log_params, x_all, summary["recency"].to_numpy(),
                                           summary["age"].to_numpy(), levels, index)
        levels, index = np.unique(x_few, return_inverse=True)
        few = BetaGeo._neg_log_likelihood(log_params, x_few, compressed["recency"].to_numpy(),
                                          compressed["age"].to_numpy(), levels, index,
                                          compressed["customers"].to_numpy(float))
        assert few[0] == pytest.approx(full[0], rel=1e-12)
        np.testing.assert_allclose(few[1], full[1], rtol=1e-9)


def test_compressed_gamma_gamma_fit_equals_the_uncompressed_one(summary):
    compressed = compress_summary(summary, ["frequency", "monetary value"])
    full = GammaGamma().fit(summary)
    weighted = GammaGamma(weights="customers").fit(compressed)
    for name in full.params_:
        # Both optimisations stop within their tolerance of the same maximum.
        assert weighted.params_[name] == pytest.approx(full.params_[name], rel=1e-3)
    assert weighted.log_likelihood_ == pytest.approx(full.log_likelihood_, rel=1e-9)
    assert weighted.n_customers_ == full.n_customers_


def test_bad_weights_are_refused(summary):
    compressed = compress_summary(summary)
    with pytest.raises(DataError, match="must count the customers each row stands for"):
        BetaGeo(weights="customers").fit(compressed.assign(customers=0.5))
    with pytest.raises(DataError, match="'clients' is not a column"):
        BetaGeo(weights="clients").fit(compressed)
    with pytest.raises(DataError, match="already has a column 'customers'"):
        compress_summary(compressed)
