"""Shared test settings.

The notebooks under tests/fixtures are material for the harness tests (a notebook with
unexecuted cells, one whose stored output is wrong): they must not be collected by nbval.
"""

from pathlib import Path

import pytest
from hypothesis import settings

collect_ignore_glob = ["fixtures/*"]

# No time limit on property-test examples: speed is measured by benchmarks/, never by tests, and a
# loaded machine made a 200 ms deadline fail a correct test.
settings.register_profile("mlmarketing", deadline=None)
settings.load_profile("mlmarketing")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT

pytest_plugins = ["pytester"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Before -m selects: every test of a tests/test_own_data_*.py file is an own_data test.
    for item in items:
        if item.path.name.startswith("test_own_data_"):
            item.add_marker(pytest.mark.own_data)
