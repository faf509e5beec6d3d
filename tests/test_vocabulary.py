"""One name for each thing across the library (CONTRIBUTING.md, "The vocabulary").

Two walks: every public function's and estimator's signature, and the columns of every table
the docstring examples produce (each public helper has one; the examples run here with a
display hook that records every DataFrame they show or create).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re
import sys

import pandas as pd
import pytest

MODULES = [
    "mlmarketing.clv", "mlmarketing.experiments", "mlmarketing.forecasting",
    "mlmarketing.media", "mlmarketing.recommend", "mlmarketing.scoring", "mlmarketing.segmentation",
    "mlmarketing.survival", "mlmarketing.text", "mlmarketing.vision",
]
# Names the vocabulary replaced: the confidence level is `level`, the time unit `time_unit`.
RETIRED_PARAMETERS = {
    "confidence": "level", "conf_level": "level", "confidence_level": "level", "ci": "level",
    "unit": "time_unit", "units": "time_unit",
}
# A significance level is a different thing from a confidence level: only the sample-size
# calculations take one, as the textbooks write it.
SIGNIFICANCE_ALLOWED = {"sample_size", "sample_size_table", "power_curve"}
# Not results: a name → model mapping that compare_models takes as its input.
DICT_ALLOWED = {"default_models"}
ACRONYM = re.compile(r"^[A-Z0-9@.%€&/+-]{1,6}$")


def _public_callables():
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if attribute.startswith("_") or getattr(value, "__module__", None) != name:
                continue
            if inspect.isfunction(value):
                yield f"{name}.{attribute}", attribute, value
            elif inspect.isclass(value):
                if "__init__" in vars(value) or hasattr(value, "__dataclass_fields__"):
                    yield f"{name}.{attribute}", attribute, value
                for method_name, method in vars(value).items():
                    if not method_name.startswith("_") and inspect.isfunction(method):
                        yield f"{name}.{attribute}.{method_name}", method_name, method


CALLABLES = sorted(_public_callables(), key=lambda item: item[0])


def signature_problems(qualified: str, short: str, function) -> list[str]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    problems = []
    parameters = signature.parameters
    for name, parameter in parameters.items():
        # `confidence` holding a model's scores (no default) is not a confidence level.
        level_like = name not in ("confidence",) or isinstance(parameter.default, float)
        if name in RETIRED_PARAMETERS and level_like:
            problems.append(f"parameter {name!r}: the vocabulary says {RETIRED_PARAMETERS[name]!r}")
        if name == "alpha" and short not in SIGNIFICANCE_ALLOWED and isinstance(parameter.default, float):
            problems.append("parameter 'alpha' as a confidence level: the vocabulary says level=0.95")
        if name == "level" and parameter.default is not inspect.Parameter.empty and parameter.default != 0.95:
            problems.append(f"level defaults to {parameter.default!r}, not 0.95")
        if name == "random_state" and parameter.default not in (0, inspect.Parameter.empty):
            problems.append(f"random_state defaults to {parameter.default!r}, not 0")
        if name == "ax":
            if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
                problems.append("ax must be keyword-only (write `*, ax=None`)")
            if parameter.default is not None:
                problems.append("ax must default to None")
        if name == "freq" and isinstance(parameter.default, str):
            try:
                pd.tseries.frequencies.to_offset(parameter.default)
            except ValueError:
                problems.append(f"freq defaults to {parameter.default!r}, not a pandas offset alias")
    if short.startswith("plot_") and "ax" not in parameters:
        problems.append("a plot helper takes ax=None")
    annotation = signature.return_annotation
    returns_dict = annotation is dict or (isinstance(annotation, str) and annotation.startswith("dict"))
    if returns_dict and short not in DICT_ALLOWED:
        problems.append("returns a dict: the vocabulary says a DataFrame")
    return problems


@pytest.mark.parametrize(("qualified", "short", "function"), CALLABLES, ids=[c[0] for c in CALLABLES])
def test_signature_follows_the_vocabulary(qualified, short, function):
    assert signature_problems(qualified, short, function) == []


def test_the_walk_finds_the_public_api():
    names = {qualified for qualified, _, _ in CALLABLES}
    assert {"mlmarketing.clv.rfm_table", "mlmarketing.scoring.compare_models",
            "mlmarketing.survival.kaplan_meier", "mlmarketing.experiments.compare_arms"} <= names
    assert len(names) > 100


# ------------------------------------------------------------------ result columns


def _dataset_columns() -> set[str]:
    from mlmarketing.data import _REGISTRY

    return {column for dataset in _REGISTRY.values() for column in dataset.columns}


DATASET_COLUMNS = _dataset_columns()


def column_problems(column: object, source: str) -> list[str]:
    if not isinstance(column, str) or f"'{column}'" in source or f'"{column}"' in source:
        return []  # the user's own column (named in the example) keeps its name
    if column in DATASET_COLUMNS:
        return []  # a column of a shipped file is data, like a user's own column
    problems = []
    lowered = column.lower()
    if re.search(r"(^|[ _])(lower|upper)$|^ci[ _]|_low$|_high$|^(hr|ci|rate|diff)_", lowered):
        problems.append(f"{column!r}: intervals are 'low'/'high' or '<quantity> low'/'<quantity> high'")
    if re.search(r"\bdiff (low|high)$", lowered):
        problems.append(f"{column!r}: write 'difference low'/'difference high'")
    squeezed = re.sub(r"[ _\-]", "", lowered)
    if squeezed in {"pvalue", "pval"} and column != "p-value":
        problems.append(f"{column!r}: the p-value column is 'p-value'")
    if "_" in column:
        problems.append(f"{column!r}: result columns are words separated by spaces")
    for word in re.split(r"[ \-(),:]+", column):
        if word and word != word.lower() and not ACRONYM.match(word):
            problems.append(f"{column!r}: result columns are lower case (acronyms aside)")
            break
    return problems


def _tables(value):
    if isinstance(value, pd.DataFrame):
        yield value
    elif hasattr(value, "summary") and callable(value.summary) and not isinstance(value, type):
        try:
            summary = value.summary()
        except Exception:  # an unfitted estimator's summary may refuse: not this test's matter
            return
        if isinstance(summary, pd.DataFrame):
            yield summary


def _example_tables():
    """Every DataFrame shown or created by a docstring example, with the example's source."""
    finder = doctest.DocTestFinder()
    for name in MODULES:
        module = importlib.import_module(name)
        for test in finder.find(module):
            if not test.examples:
                continue
            source = "\n".join(example.source for example in test.examples)
            shown = []
            original = sys.displayhook

            def record(value, _shown=shown, _original=original):
                if value is not None:
                    _shown.append(value)
                _original(value)

            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
            sys.displayhook = record
            try:
                runner.run(test, out=lambda _text: None, clear_globs=False)
            finally:
                sys.displayhook = original
            values = shown + [v for k, v in test.globs.items() if not k.startswith("_")]
            for value in values:
                if isinstance(value, tuple):
                    candidates = list(value)
                else:
                    candidates = [value]
                for candidate in candidates:
                    for table in _tables(candidate):
                        yield test.name, source, table
            test.globs.clear()
            import matplotlib.pyplot as plt

            plt.close("all")


def test_result_columns_follow_the_vocabulary():
    problems = set()
    seen = 0
    for where, source, table in _example_tables():
        seen += 1
        names = list(table.columns) + [n for n in (table.index.names or []) if n is not None]
        for column in names:
            for problem in column_problems(column, source):
                problems.add(f"{where}: {problem}")
    assert seen > 50, "the docstring examples produced too few tables to check"
    assert sorted(problems) == []
