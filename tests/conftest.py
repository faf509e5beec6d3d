"""Shared test settings.

The notebooks under tests/fixtures are material for the harness tests (a notebook with
unexecuted cells, one whose stored output is wrong): they must not be collected by nbval.
"""

from pathlib import Path

import pytest

collect_ignore_glob = ["fixtures/*"]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT

pytest_plugins = ["pytester"]
