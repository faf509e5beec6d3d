"""Words shown on each slide of the notebooks, and the slides above the budget (about 120 words).

Counts the markdown words of each slide and subslide as RISE shows it: speaker notes and
skipped cells left out, code not counted. Usage::

    python tools/slide_words.py notebooks/en/*.ipynb notebooks/fr/*.ipynb
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

BUDGET = 120


def slide_words(notebook: dict) -> list[tuple[int, int, str]]:
    """(index of the slide's first cell, words shown, its first line) for every slide and subslide."""
    slides: list[list] = []
    for index, cell in enumerate(notebook["cells"]):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if kind in ("slide", "subslide"):
            slides.append([index, 0, ""])
        if not slides or kind in ("skip", "notes") or cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        if not slides[-1][2]:
            slides[-1][2] = text.splitlines()[0][:60] if text else ""
        slides[-1][1] += len(re.findall(r"\w+", re.sub(r"[`*#|$\\]", " ", text)))
    return [tuple(slide) for slide in slides]


def main(paths: list[str]) -> int:
    over = 0
    for path in paths:
        slides = slide_words(json.loads(Path(path).read_text(encoding="utf-8")))
        big = [s for s in slides if s[1] > BUDGET]
        over += len(big)
        print(f"{path}: {len(slides)} slides, {len(big)} above {BUDGET} words"
              + (f" (longest {max(s[1] for s in slides)})" if slides else ""))
        for index, words, first in big:
            print(f"    cell {index}: {words} words: {first}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
