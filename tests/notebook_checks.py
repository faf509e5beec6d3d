"""Checks of a committed notebook that nbval does not make.

nbval re-runs a notebook and compares outputs, but it passes a notebook whose cells were
never run (there is nothing to compare). These checks catch that, and the other ways a
committed notebook can mislead: stored errors, cells run out of order, another kernel,
machine paths in outputs, and a missing part of the course's notebook template.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

MACHINE_PATH = re.compile(r"(/work/|/tmp/|/root/|/home/[a-z]|/Users/[A-Za-z]|[A-Z]:\\\\Users)")
MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]{6,}")
MAX_OUTPUT_CHARS = 400_000


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def execution_problems(nb: dict) -> list[str]:
    """Problems with how the notebook was run and saved; empty when it is fine."""
    problems = []
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"kernel is {kernel!r}, not 'python3'")
    counts = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code" or not source(cell).strip():
            continue
        counts.append(cell.get("execution_count"))
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {i} has a stored error ({output.get('ename')})")
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                problems.append(f"cell {i} has a stored warning or stderr output")
            text = json.dumps(output)
            found = MACHINE_PATH.search(text)
            if found:
                problems.append(f"cell {i} output shows a machine path ({found.group(0)})")
            if MEMORY_ADDRESS.search(text):
                problems.append(f"cell {i} output shows a memory address")
            if len(text) > MAX_OUTPUT_CHARS:
                problems.append(f"cell {i} output is {len(text) // 1000} kB; keep figures small")
    unexecuted = sum(c is None for c in counts)
    if unexecuted:
        problems.append(f"{unexecuted} code cell(s) never executed")
    elif counts != list(range(1, len(counts) + 1)):
        problems.append(
            f"execution counts are {counts[:12]}..., not 1..{len(counts)}: "
            "re-run it top to bottom in a fresh kernel (python course.py execute)"
        )
    return problems


# The template's headings and the speaker notes' first words in each edition (see CONTRIBUTING.md).
HEADINGS = {
    "en": {"learn": "What you will learn", "takeaways": "Key takeaways", "exercises": "Exercises"},
    "fr": {"learn": "Ce que vous allez apprendre", "takeaways": "Points clés", "exercises": "Exercices"},
}
NOTES_PREFIXES = {"en": "**Speaker notes.**", "fr": "**Notes de l'intervenant.**"}


def language_of(path: Path) -> str:
    """The edition a notebook belongs to: the name of its folder, ``fr`` or ``en``."""
    return "fr" if Path(path).parent.name == "fr" else "en"


def template_problems(nb: dict, language: str = "en") -> list[str]:
    """Missing parts of the notebook template (see CONTRIBUTING.md), in the ``language`` edition."""
    problems = []
    cells = nb.get("cells", [])
    markdown = [source(c) for c in cells if c.get("cell_type") == "markdown"]
    code = [c for c in cells if c.get("cell_type") == "code"]
    first = source(cells[0]) if cells else ""
    if not (cells and cells[0].get("cell_type") == "markdown" and re.search(r"^# \S", first, re.M)):
        problems.append("the first cell is not a markdown title ('# English title')")
    if not re.search(r"^## \S", first, re.M):
        problems.append("the title cell has no French slide title ('## Titre de la diapositive')")
    headings = {name: rf"^#+ {re.escape(name)}" for name in HEADINGS[language].values()}
    for name, pattern in headings.items():
        if not any(re.search(pattern, m, re.M) for m in markdown):
            problems.append(f"no '{name}' heading")
    setup = [c for c in code if "setup_notebook()" in source(c)]
    if not setup:
        problems.append("no setup cell calling setup_notebook()")
    elif not re.search(r"^DATA = None\b", source(setup[0]), re.M):
        problems.append("the setup cell has no 'DATA = None' parameter line")
    exercise_at = next(
        (i for i, c in enumerate(cells) if c.get("cell_type") == "markdown"
         and re.search(headings[HEADINGS[language]["exercises"]], source(c), re.M)),
        None,
    )
    if exercise_at is not None:
        hidden = [
            c for c in cells[exercise_at:]
            if c.get("cell_type") == "code"
            and c.get("metadata", {}).get("jupyter", {}).get("source_hidden")
        ]
        if not hidden:
            problems.append("the exercises have no solution cell with hidden source")
    return problems


# reveal.js themes whose fonts ship with RISE; the others load Google Fonts from the internet.
OFFLINE_THEMES = {"white", "black", "serif"}
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


def _is_solution(cell: dict) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def slide_type(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def slideshow_problems(nb: dict, language: str = "en") -> list[str]:
    """Missing slideshow metadata (see CONTRIBUTING.md, "Slides and speaker notes").

    Every cell says how it shows in the live slideshow: the title and every ``##`` section start
    a slide, the setup and the hidden solutions are skipped, and each section has speaker notes.
    """
    problems = []
    cells = nb.get("cells", [])
    rise = nb.get("metadata", {}).get("rise")
    if not isinstance(rise, dict) or not rise.get("scroll"):
        problems.append("the notebook metadata has no 'rise' settings with scroll enabled")
    elif rise.get("theme") not in OFFLINE_THEMES:
        problems.append(f"the slideshow theme {rise.get('theme')!r} loads fonts from the internet; "
                        f"use one of {sorted(OFFLINE_THEMES)}")
    for i, cell in enumerate(cells):
        kind = slide_type(cell)
        text = source(cell)
        if kind not in SLIDE_TYPES:
            problems.append(f"cell {i} has slide type {kind!r}, not one of {sorted(SLIDE_TYPES)}")
            continue
        if i == 0 and kind != "slide":
            problems.append("the title cell does not start a slide")
        heading = cell.get("cell_type") == "markdown" and re.match(r"## \S", text)
        if i > 0 and heading and kind != "slide":
            problems.append(f"cell {i} opens a section ('{text.splitlines()[0]}') but is not a slide")
        if cell.get("cell_type") == "code" and "setup_notebook()" in text and kind != "skip":
            problems.append(f"cell {i} is the setup cell but is not skipped in the slideshow")
        if _is_solution(cell) and kind != "skip":
            problems.append(f"cell {i} is an exercise solution but is not skipped in the slideshow")
        if (cell.get("cell_type") == "code" and kind == "skip" and "setup_notebook()" not in text
                and not _is_solution(cell)):
            # The instructor runs only the setup cell before Alt+R: a skipped cell that makes data
            # would leave a later slide failing with a NameError.
            problems.append(f"cell {i} is code skipped in the slideshow but is neither the setup cell "
                            "nor a solution: show it, or move what it makes into the setup or the next cell")
        prefix = NOTES_PREFIXES[language]
        if kind == "notes" and not (cell.get("cell_type") == "markdown" and text.startswith(prefix)):
            problems.append(f"cell {i} is a notes cell but is not markdown starting with {prefix!r}")
    headings = [i for i, c in enumerate(cells) if i > 0 and c.get("cell_type") == "markdown"
                and re.match(r"## \S", source(c))]
    for start, end in zip(headings, headings[1:] + [len(cells)], strict=True):
        numbered = re.match(r"## \d", source(cells[start]))
        if numbered and not any(slide_type(c) == "notes" for c in cells[start:end]):
            problems.append(f"section '{source(cells[start]).splitlines()[0]}' has no speaker notes cell")
    return problems
