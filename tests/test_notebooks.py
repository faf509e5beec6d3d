"""Every committed notebook, in both editions, is executed, clean and follows the course template.

nbval (run by pytest on notebooks/fr/ and notebooks/en/) re-executes them and compares outputs;
these tests check what nbval cannot see. tests/test_editions.py checks that the two editions are
the same notebook in two languages.
"""

from pathlib import Path

import pytest

from mlmarketing.course_map import course_map
from tests.editions import EDITIONS
from tests.notebook_checks import execution_problems, language_of, load, slideshow_problems, template_problems

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = [path for language in EDITIONS
             for path in sorted((ROOT / "notebooks" / language).glob("*.ipynb"))]


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_there_are_notebooks_in_each_edition_and_nowhere_else():
    for language in EDITIONS:
        assert list((ROOT / "notebooks" / language).glob("*.ipynb")), f"no notebook in notebooks/{language}/"
    stray = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert stray == [], f"notebooks belong in notebooks/fr/ and notebooks/en/, not in notebooks/: {stray}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_is_executed_and_clean(path):
    assert execution_problems(load(path)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_follows_the_template(path):
    assert template_problems(load(path), language_of(path)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_is_a_slideshow_with_speaker_notes(path):
    assert slideshow_problems(load(path), language_of(path)) == []


@pytest.mark.parametrize("language", EDITIONS)
def test_course_map_lists_exactly_the_ready_notebooks(language):
    table = course_map(language)
    ready = set(table.loc[table["status"] == "ready", "notebook"])
    assert ready == {p.name for p in (ROOT / "notebooks" / language).glob("*.ipynb")}


def test_readme_course_map_matches_the_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for row in course_map().itertuples():
        line = next((ln for ln in readme.splitlines() if ln.startswith(f"| `{row.notebook}`")), None)
        assert line is not None, f"{row.notebook} is not in the README's course map"
        assert row.slide in line
