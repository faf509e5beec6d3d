"""Every model of the library is a scikit-learn estimator: `clone` works, `fit` keeps its arguments.

The walk finds every public class with a ``fit`` method; each must subclass ``BaseEstimator``,
store its constructor arguments unchanged (so ``get_params``/``set_params``/``clone`` work),
and be constructible with its defaults or with the arguments listed in REQUIRED below.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from sklearn.base import BaseEstimator, clone

MODULES = [
    "mlmarketing.clv", "mlmarketing.experiments", "mlmarketing.forecasting", "mlmarketing.media",
    "mlmarketing.recommend", "mlmarketing.scoring", "mlmarketing.segmentation", "mlmarketing.survival",
    "mlmarketing.text", "mlmarketing.vision",
]


def _estimator_classes():
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if (inspect.isclass(value) and not attribute.startswith("_")
                    and getattr(value, "__module__", None) == name and callable(getattr(value, "fit", None))):
                yield f"{name}.{attribute}", value


ESTIMATORS = sorted(_estimator_classes())


def _example(cls):
    """An instance built with every required argument filled from its annotation or a simple value."""
    arguments = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.default is inspect.Parameter.empty:
            arguments[name] = ["x"] if "covariate" in name or "feature" in name else 1
    return cls(**arguments)


def test_the_walk_finds_the_models():
    names = {name.rsplit(".", 1)[1] for name, _ in ESTIMATORS}
    assert {"BetaGeo", "GammaGamma", "CoxModel", "ItemKNNRecommender", "ETS"} <= names


@pytest.mark.parametrize(("name", "cls"), ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_every_model_is_a_scikit_learn_estimator(name, cls):
    assert issubclass(cls, BaseEstimator), f"{name} must subclass sklearn.base.BaseEstimator"
    estimator = _example(cls)
    params = estimator.get_params()
    copy = clone(estimator)
    assert type(copy) is cls and copy is not estimator
    assert copy.get_params().keys() == params.keys()
    for key, value in params.items():
        assert copy.get_params()[key] is value or copy.get_params()[key] == value, key
    assert estimator.set_params(**params) is estimator
