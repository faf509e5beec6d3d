"""The handout build (tools/handouts.py): offline pages, one handout and one deck per notebook."""

from __future__ import annotations

import html

import nbformat
import pytest

from tools import handouts


@pytest.mark.parametrize(
    "text, kind",
    [
        ('<script src="https://cdn.example.org/require.js"></script>', "html"),
        ('<link rel="stylesheet" href="http://fonts.example.org/a.css">', "html"),
        ('<img src="//images.example.org/logo.png">', "html"),
        ("<style>@import url(https://fonts.example.org/css?family=Lato);</style>", "html"),
        ('<div style="background: url(\'https://example.org/bg.png\')"></div>', "html"),
        ("<script type=\"module\">import mermaid from 'https://cdn.example.org/m.mjs';</script>", "html"),
        ("body { background: url(https://example.org/a.png); }", "css"),
        ("@import url(https://fonts.example.org/x.css);", "css"),
        ("import x from 'https://cdn.example.org/x.js';", "js"),
    ],
)
def test_remote_loads_are_found(text, kind):
    assert handouts.external_references(text, kind) != []


@pytest.mark.parametrize(
    "text, kind",
    [
        ('<a href="https://example.org/article">a link is followed only on a click</a>', "html"),
        ('<script src="reveal.js/dist/reveal.js"></script>', "html"),
        ('<img src="data:image/png;base64,iVBORw0KGgo=">', "html"),
        ('<svg xmlns="http://www.w3.org/2000/svg"></svg>', "html"),
        ("body { background: url(./local.png); }", "css"),
        ("// see https://example.org for the options", "js"),
    ],
)
def test_local_and_inert_references_are_allowed(text, kind):
    assert handouts.external_references(text, kind) == []


def test_check_offline_names_the_file(tmp_path):
    (tmp_path / "ok.html").write_text("<p>fine</p>", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.css").write_text("@import url(https://x.org/a.css);", encoding="utf-8")
    assert list(handouts.check_offline(tmp_path)) == ["sub/bad.css"]


def _tiny_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny\n## Petit\nA question."),
        nbformat.v4.new_markdown_cell("## Exercises\n1. Add one."),
        nbformat.v4.new_code_cell("# Solution 1\n1 + 1", metadata={"jupyter": {"source_hidden": True}}),
    ]
    return nb


def test_student_edition_drops_solutions_and_leaves_the_notebook_alone():
    nb = _tiny_notebook()
    student = handouts.edition(nb, instructor=False)
    assert [c.cell_type for c in student.cells] == ["markdown", "markdown"]
    assert len(nb.cells) == 3
    assert len(handouts.edition(nb, instructor=True).cells) == 3


def test_title_of_reads_both_titles():
    assert handouts.title_of(_tiny_notebook()) == ("Tiny", "Petit")


@pytest.fixture(scope="module", params=["fr", "en"])
def student_build(request, tmp_path_factory):
    # The whole French course (the default); three notebooks of the English one, whose pages are
    # built by the same code (building every page takes most of this module's time).
    notebooks = None if request.param == "fr" else handouts.course_notebooks("en")[:3]
    out = handouts.build(tmp_path_factory.mktemp("build") / "handouts", notebooks=notebooks,
                         language=request.param)
    return out, request.param


def test_one_handout_and_one_deck_per_notebook_with_no_external_reference(student_build):
    student_build, language = student_build
    stems = [p.stem for p in handouts.course_notebooks(language)][: None if language == "fr" else 3]
    assert sorted(p.name for p in student_build.glob("*.html")) == sorted(
        ["index.html"] + [f"{s}.html" for s in stems] + [f"{s}.slides.html" for s in stems]
    )
    assert handouts.check_offline(student_build) == {}
    index = (student_build / "index.html").read_text(encoding="utf-8")
    positions = [index.index(f'href="{s}.html"') for s in stems]
    assert positions == sorted(positions), "the index lists the notebooks in course order"
    assert f'<html lang="{language}">' in index
    assert html.escape(handouts.TEXTS[language]["student"]) in index


def test_solutions_only_in_the_instructor_edition(student_build, tmp_path):
    student_build, language = student_build
    if language != "en":
        pytest.skip("the solutions' first comment is checked in the English edition")
    first_two = handouts.course_notebooks("en")[:2]
    instructor = handouts.build(tmp_path / "instructor", instructor=True, notebooks=first_two, language="en")
    name = handouts.course_notebooks("en")[0].stem + ".html"
    assert "# Solution" in (instructor / name).read_text(encoding="utf-8")
    assert "# Solution" not in (student_build / name).read_text(encoding="utf-8")


def test_a_remote_reference_fails_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(handouts, "REVEAL_PREFIX", "https://unpkg.com/reveal.js@5")
    with pytest.raises(handouts.BuildError, match="would load from the internet"):
        handouts.build(tmp_path / "out", notebooks=handouts.course_notebooks()[:1])
