"""Every docstring example of the library runs and prints what it says.

CONTRIBUTING.md promises that the examples run as doctests: this test keeps the promise.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mlmarketing

MODULES = sorted(m.name for m in pkgutil.walk_packages(mlmarketing.__path__, "mlmarketing."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True, verbose=False
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (see above)"


def test_the_library_has_examples():
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples) for name in MODULES for test in finder.find(importlib.import_module(name))
    )
    assert examples > 200
