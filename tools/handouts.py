"""Build the course handouts: an HTML page and a reveal.js slide deck per notebook, and an index.

    python course.py handouts                 French student edition, in build/handouts-fr/
    python course.py handouts --instructor    with the exercise solutions, in build/handouts-fr-instructor/
    python course.py handouts --lang en       the English edition, in build/handouts-en/

The notebooks are committed executed, so nothing is run: the pages show the committed outputs.
Everything opens offline from ``file://``: reveal.js is copied from ``tools/vendor/reveal.js``, images
are embedded, and the build fails if a page would still load a script, a style sheet, a font or an
image from the internet (:func:`external_references`).
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, SlidesExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = Path(__file__).resolve().parent / "templates"
REVEAL = Path(__file__).resolve().parent / "vendor" / "reveal.js"
REVEAL_PREFIX = "reveal.js"  # where the decks find reveal.js: the copy next to them
# What the index page says, in each language of the course.
TEXTS = {
    "en": {
        "student": "Student edition: the exercise solutions are in the notebooks, hidden until you "
                   "open them.",
        "instructor": "Instructor edition: with the exercise solutions.",
        "keys": "In a slide deck, press <kbd>S</kbd> for the speaker view, <kbd>F</kbd> for full screen, "
                "<kbd>Esc</kbd> for the overview.",
        "handout": "handout", "slides": "slides", "title": "handouts",
    },
    "fr": {
        "student": "Édition étudiant : les corrigés des exercices sont dans les notebooks, masqués "
                   "jusqu'à ce que vous les ouvriez.",
        "instructor": "Édition enseignant : avec les corrigés des exercices.",
        "keys": "Dans un diaporama, <kbd>S</kbd> ouvre la vue de l'intervenant, <kbd>F</kbd> le plein écran, "
                "<kbd>Échap</kbd> la vue d'ensemble.",
        "handout": "support", "slides": "diapositives", "title": "supports de cours",
    },
}

# Attributes through which a browser fetches something as the page loads. A link (<a href>) is
# fetched only when the reader clicks it, so it may point to the internet.
_LOADING_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "track": ("src",),
}
_REMOTE = re.compile(r"^\s*(https?:)?//", re.I)
_CSS_REMOTE = re.compile(
    r"""(@import\s+(url\()?\s*["']?\s*(https?:)?//[^;]*|url\(\s*["']?\s*(https?:)?//[^)]*\))""", re.I
)
_JS_REMOTE = re.compile(r"""(\bimport\s*\(?\s*["'](https?:)?//[^"']*|\bfrom\s+["'](https?:)?//[^"']*)""")


class BuildError(Exception):
    """The handouts could not be built as promised (for instance a page still loads from the internet)."""


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in _LOADING_ATTRIBUTES.get(tag, ()) and _REMOTE.match(value):
                self.found.append(f"<{tag} {name}={value}>")
            if value and name == "style":
                self.found.extend(m[0] for m in _CSS_REMOTE.findall(value))
        self._in = tag if tag in ("style", "script") else ""

    def handle_endtag(self, tag: str) -> None:
        self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.found.extend(m[0] for m in _CSS_REMOTE.findall(data))
        elif self._in == "script":
            self.found.extend(m[0] for m in _JS_REMOTE.findall(data))


def external_references(text: str, kind: str = "html") -> list[str]:
    """What a page, a style sheet or a script would load from the internet.

    Parameters
    ----------
    text : str
        The content of the file.
    kind : {"html", "css", "js"}
        The kind of file.

    Returns
    -------
    list of str
        One entry per remote load, empty when the file works offline.

    Examples
    --------
    >>> external_references('<script src="https://cdn.example.org/x.js"></script>')
    ['<script src=https://cdn.example.org/x.js>']
    >>> external_references('<a href="https://example.org">a link is not loaded</a>')
    []
    """
    if kind == "css":
        return [m[0] for m in _CSS_REMOTE.findall(text)]
    if kind == "js":
        return [m[0] for m in _JS_REMOTE.findall(text)]
    parser = _Loads()
    parser.feed(text)
    parser.close()
    return parser.found


def check_offline(folder: Path) -> dict[str, list[str]]:
    """Remote loads in every HTML, CSS and JavaScript file of ``folder``, by file; empty when none."""
    problems = {}
    for path in sorted(folder.rglob("*")):
        kind = path.suffix.lstrip(".")
        if path.is_file() and kind in ("html", "css", "js"):
            found = external_references(path.read_text(encoding="utf-8"), kind)
            if found:
                problems[str(path.relative_to(folder))] = found
    return problems


def course_notebooks(language: str = "fr") -> list[Path]:
    """The committed notebooks of one edition, in the order of the course map (any other one at the end)."""
    sys.path.insert(0, str(ROOT))
    from mlmarketing.course_map import COURSE_MAP

    present = {p.name: p for p in (NOTEBOOKS / language).glob("*.ipynb")}
    ordered = [present.pop(row["notebook"]) for row in COURSE_MAP if row["notebook"] in present]
    return ordered + sorted(present.values())


def _is_solution(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def edition(nb: nbformat.NotebookNode, instructor: bool) -> nbformat.NotebookNode:
    """A copy of the notebook for one edition: students get no exercise solution."""
    nb = copy.deepcopy(nb)
    if not instructor:
        nb.cells = [cell for cell in nb.cells if not _is_solution(cell)]
    return nb


def title_of(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """The title and the French slide title from the notebook's first cell."""
    first = nb.cells[0].source if nb.cells else ""
    english = re.search(r"^# (.+)$", first, re.M)
    french = re.search(r"^## (.+)$", first, re.M)

    def plain(found: re.Match | None) -> str:
        return re.sub(r"[*_`]", "", found.group(1)).strip() if found else ""

    return plain(english), plain(french)


def _index_page(rows: list[dict[str, str]], banner: str, language: str = "en") -> str:
    text = TEXTS[language]
    items = "\n".join(
        f"<tr><td>{i}</td><td><strong>{html.escape(r['title'])}</strong><br>"
        f"<em>{html.escape(r['slide'])}</em></td>"
        f'<td><a href="{r["stem"]}.html">{text["handout"]}</a></td>'
        f'<td><a href="{r["stem"]}.slides.html">{text["slides"]}</a></td></tr>'
        for i, r in enumerate(rows, start=1)
    )
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>Marketing et Machine Learning: {text["title"]}</title>
<style>
  body {{ font-family: sans-serif; max-width: 960px; margin: 2em auto; line-height: 1.4; }}
  table {{ border-collapse: collapse; width: 100%; }}
  td {{ border-bottom: 1px solid #ddd; padding: 0.5em; vertical-align: top; }}
  .banner {{ padding: 0.6em 1em; background: #eef3fb; border-left: 4px solid #3465a4; }}
</style>
</head>
<body>
<h1>Marketing et Machine Learning</h1>
<p class="banner">{html.escape(banner)} {text["keys"]}</p>
<table>
{items}
</table>
</body>
</html>
"""


def build(out: Path | None = None, instructor: bool = False, notebooks: list[Path] | None = None,
          language: str = "fr") -> Path:
    """Build the handouts into ``out`` and return it.

    Parameters
    ----------
    out : Path, optional
        Output folder, emptied first. Default ``build/handouts-<language>`` (``...-instructor``).
    instructor : bool
        Include the exercise solutions.
    notebooks : list of Path, optional
        Default: every notebook of the ``language`` edition, in course order.
    language : {"fr", "en"}, default "fr"
        The edition: its notebooks and the index page's language.

    Raises
    ------
    BuildError
        If a built page would load anything from the internet.
    """
    out = Path(out or ROOT / "build" / (f"handouts-{language}" + ("-instructor" if instructor else "")))
    notebooks = course_notebooks(language) if notebooks is None else notebooks
    banner = TEXTS[language]["instructor" if instructor else "student"]
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(REVEAL, out / "reveal.js", ignore=shutil.ignore_patterns("README.md"))
    handout = HTMLExporter(template_name="mlm_handout", extra_template_basedirs=[str(TEMPLATES)])
    slides = SlidesExporter(
        template_name="mlm_slides",
        extra_template_basedirs=[str(TEMPLATES)],
        reveal_url_prefix=REVEAL_PREFIX,
        reveal_theme="white",
        reveal_transition="none",
    )
    rows = []
    for path in notebooks:
        nb = edition(nbformat.read(path, as_version=4), instructor)
        resources = {"mlm_edition": banner, "metadata": {"name": path.stem}}
        page, _ = handout.from_notebook_node(nb, resources=copy.deepcopy(resources))
        deck, _ = slides.from_notebook_node(nb, resources=copy.deepcopy(resources))
        (out / f"{path.stem}.html").write_text(page, encoding="utf-8")
        (out / f"{path.stem}.slides.html").write_text(deck, encoding="utf-8")
        title, slide = title_of(nb)
        rows.append({"stem": path.stem, "title": title or path.stem, "slide": slide})
    (out / "index.html").write_text(_index_page(rows, banner, language), encoding="utf-8")
    problems = check_offline(out)
    if problems:
        listing = "\n".join(f"  {name}: {', '.join(found[:3])}" for name, found in problems.items())
        raise BuildError(f"these pages would load from the internet, so would not open offline:\n{listing}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--instructor", action="store_true", help="include the exercise solutions")
    parser.add_argument("--out", type=Path, help="output folder (default: build/handouts-LANG[-instructor])")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr", help="edition: fr (default) or en")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: the whole course)")
    args = parser.parse_args(argv)
    try:
        out = build(args.out, args.instructor, args.notebooks or None, language=args.lang)
    except BuildError as error:
        print(f"Handouts not built: {error}", file=sys.stderr)
        return 1
    print(f"Handouts written to {out}; open {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
