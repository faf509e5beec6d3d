"""The generators: the shipped files are exactly their output, and they are seeded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score, roc_auc_score

from mlmarketing import DataError, load_dataset, simulate
from mlmarketing.data import _REGISTRY
from mlmarketing.simulate.__main__ import main


def test_committed_datasets_match_the_generators_byte_for_byte():
    assert simulate.check_datasets() == []


def test_check_command_exit_codes(tmp_path, capsys):
    assert main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert "missing" in capsys.readouterr().out


def test_write_then_check_in_another_folder(tmp_path):
    written = simulate.write_datasets(tmp_path)
    assert written and all(tmp_path in p.parents for p in written)  # images go in subfolders
    assert simulate.check_datasets(tmp_path) == []
    written[0].write_bytes(written[0].read_bytes() + b"\n")
    assert "differs" in simulate.check_datasets(tmp_path)[0]


@pytest.mark.parametrize("name", sorted(simulate.GENERATORS))
def test_every_generator_has_a_registered_dataset_and_file(name):
    files = {d.file for d in _REGISTRY.values()}
    assert set(simulate.generate(name, **_small(name)).tables) <= files


@pytest.mark.parametrize("name", sorted(simulate.GENERATORS))
def test_generators_are_reproducible_and_seeded(name):
    a = simulate.generate(name, **_small(name))
    b = simulate.generate(name, **_small(name))
    for file in a.tables:
        pd.testing.assert_frame_equal(a.tables[file], b.tables[file])
    other = simulate.generate(name, **_small(name), random_state=1)
    assert any(not a.tables[f].equals(other.tables[f]) for f in a.tables)


def _small(name: str) -> dict:
    """Size arguments that make a generator quick, read from its signature."""
    import inspect

    params = inspect.signature(simulate.GENERATORS[name]).parameters
    sizes = [p for p in params if p.startswith("n_")]
    return {sizes[0]: 200} if sizes else {}


def test_unknown_generator():
    with pytest.raises(DataError, match="Did you mean 'customers'"):
        simulate.generate("customer")


def test_customers_truth_is_recoverable():
    """The course map's planted personas and purchase model can be recovered by the methods it shows."""
    df = load_dataset("customers")
    truth = simulate.planted_truth("customers")
    assert len(truth["persona"]) == len(df)
    features = ["add_to_cart_90d", "visits_90d", "newsletter", "days_since_last_visit"]
    X, y = df[features].astype(float), df["bought"]
    model = LogisticRegression(max_iter=1000).fit(X, y)
    fitted = dict(zip(features, model.coef_[0], strict=True))
    for feature in features:
        assert fitted[feature] == pytest.approx(truth["coefficients"][feature], abs=0.25)
    assert roc_auc_score(y, model.predict_proba(X)[:, 1]) <= truth["best_auc"] + 0.02
    # The personas differ mostly in visits, carts and recency: on those, three clusters find them.
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    behaviour = StandardScaler().fit_transform(
        np.log1p(df[["visits_90d", "add_to_cart_90d", "days_since_last_visit", "pages_per_visit"]])
    )
    labels = KMeans(3, n_init=10, random_state=0).fit_predict(behaviour)
    assert adjusted_rand_score(truth["persona"], labels) > 0.5
