"""python -m mlmarketing.simulate [--check] [--out DIR]: write or verify the course datasets.

python -m mlmarketing.simulate big --rows N --out DIR: write big Parquet transaction files
(notebook 04-03; see mlmarketing/simulate/big.py), never committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlmarketing.simulate import check_datasets, write_datasets


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["big"]:
        from mlmarketing.simulate.big import main as big

        return big(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m mlmarketing.simulate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="verify the files, write nothing")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: the kit's datasets)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check_datasets(args.out)
        for problem in problems:
            print(problem)
        print("datasets up to date" if not problems else f"{len(problems)} dataset file(s) differ")
        return 1 if problems else 0
    images: dict[str, int] = {}
    for path in write_datasets(args.out):
        if path.suffix == ".csv":
            print(f"wrote {path.name}")
        else:  # hundreds of images: one line per folder
            images[path.parent.name] = images.get(path.parent.name, 0) + 1
    for folder, count in images.items():
        print(f"wrote {count} images in {folder}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
