"""Every committed notebook is executed, clean and follows the course template.

nbval (run by pytest on notebooks/) re-executes them and compares outputs; these tests
check what nbval cannot see.
"""

from pathlib import Path

import pytest

from mlmarketing.course_map import course_map
from tests.notebook_checks import execution_problems, load, slideshow_problems, template_problems

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebook found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_and_clean(path):
    assert execution_problems(load(path)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_template(path):
    assert template_problems(load(path)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_a_slideshow_with_speaker_notes(path):
    assert slideshow_problems(load(path)) == []


def test_course_map_lists_exactly_the_ready_notebooks():
    table = course_map()
    ready = set(table.loc[table["status"] == "ready", "notebook"])
    assert ready == {p.name for p in NOTEBOOKS}


def test_readme_course_map_matches_the_package():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for row in course_map().itertuples():
        line = next((ln for ln in readme.splitlines() if ln.startswith(f"| `{row.notebook}`")), None)
        assert line is not None, f"{row.notebook} is not in the README's course map"
        assert row.slide in line
