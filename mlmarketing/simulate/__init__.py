"""Seeded generators of the course datasets, with the truth each one plants.

The course's original CSVs are not public, so the kit makes its own. Each generator
returns a :class:`Simulation`: the tables (file name → DataFrame) and the planted truth
(the effects a method should recover, the best achievable score). The shipped files in
``datasets/`` are exactly the generators' output with their default arguments:

    python -m mlmarketing.simulate           # rewrite datasets/ byte for byte
    python -m mlmarketing.simulate --check   # verify the committed files, write nothing

>>> from mlmarketing import simulate
>>> sim = simulate.generate("customers", n_customers=50)
>>> sorted(sim.tables), len(sim.tables["00-Customers.csv"])
(['00-Customers.csv'], 50)
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlmarketing._errors import DataError
from mlmarketing.simulate._core import Simulation, image_bytes, same_image, to_csv_bytes
from mlmarketing.simulate.campaign import simulate_campaign
from mlmarketing.simulate.churn import simulate_churn
from mlmarketing.simulate.cloud_services import simulate_cloud_services
from mlmarketing.simulate.customers import simulate_customers
from mlmarketing.simulate.demand import simulate_demand
from mlmarketing.simulate.media import simulate_media
from mlmarketing.simulate.messages import simulate_messages
from mlmarketing.simulate.posts import simulate_posts
from mlmarketing.simulate.purchases import simulate_purchases
from mlmarketing.simulate.target import simulate_target
from mlmarketing.simulate.transactions import simulate_transactions

__all__ = [
    "GENERATORS",
    "Simulation",
    "check_datasets",
    "generate",
    "planted_truth",
    "simulate_cloud_services",
    "simulate_campaign",
    "simulate_churn",
    "simulate_customers",
    "simulate_media",
    "simulate_target",
    "simulate_purchases",
    "simulate_messages",
    "simulate_posts",
    "simulate_transactions",
    "simulate_demand",
    "write_datasets",
]

# Dataset short name (as in mlmarketing.load_dataset) -> its generator.
GENERATORS: dict[str, Callable[..., Simulation]] = {
    "customers": simulate_customers,
    "cloud_services": simulate_cloud_services,
    "media": simulate_media,
    "transactions": simulate_transactions,
    "demand": simulate_demand,
    "campaign": simulate_campaign,
    "churn": simulate_churn,
    "target": simulate_target,
    "purchases": simulate_purchases,
    "messages": simulate_messages,
    "posts": simulate_posts,
}


def generate(name: str, **kwargs: Any) -> Simulation:
    """Run the generator of dataset ``name``; keyword arguments change size or seed."""
    if name not in GENERATORS:
        close = difflib.get_close_matches(str(name), list(GENERATORS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"no generator named {name!r}.{hint} The generators are: {', '.join(GENERATORS)}.")
    return GENERATORS[name](**kwargs)


def planted_truth(name: str) -> dict[str, Any]:
    """The truth planted in the shipped dataset ``name`` (its generator with default arguments).

    >>> sorted(planted_truth("customers"))[:2]
    ['best_auc', 'coefficients']
    """
    return generate(name).truth


def _default_out() -> Path:
    from mlmarketing.data import dataset_dir

    return dataset_dir()


def write_datasets(out: Path | None = None) -> list[Path]:
    """Write every shipped dataset into ``out`` (default: the kit's dataset folder), images included."""
    folder = Path(out) if out is not None else _default_out()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in GENERATORS:
        simulation = generate(name)
        for file, table in simulation.tables.items():
            path = folder / file
            path.write_bytes(to_csv_bytes(table))
            written.append(path)
        for file, pixels in simulation.images.items():
            path = folder / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image_bytes(pixels))
            written.append(path)
    return written


def check_datasets(folder: Path | None = None) -> list[str]:
    """Compare the files in ``folder`` with what the generators produce; return the differences.

    Images are compared by their bytes, or else by their pixels (see ``same_image``); the
    differing images of one folder are reported in one line.
    """
    folder = Path(folder) if folder is not None else _default_out()
    problems = []
    for name in GENERATORS:
        simulation = generate(name)
        for file, table in simulation.tables.items():
            path = folder / file
            if not path.exists():
                problems.append(f"{file}: missing")
            elif path.read_bytes() != to_csv_bytes(table):
                problems.append(f"{file}: differs from what generator {name!r} writes")
        missing: dict[str, list[str]] = {}
        differ: dict[str, list[str]] = {}
        for file, pixels in simulation.images.items():
            path = folder / file
            if not path.exists():
                missing.setdefault(str(Path(file).parent.as_posix()), []).append(file)
            elif not same_image(path.read_bytes(), image_bytes(pixels)):
                differ.setdefault(str(Path(file).parent.as_posix()), []).append(file)
        for top in sorted({Path(file).parts[0] for file in simulation.images}):
            extra = sorted(p.relative_to(folder).as_posix() for p in (folder / top).rglob("*")
                           if p.is_file() and p.relative_to(folder).as_posix() not in simulation.images)
            if extra:
                problems.append(
                    f"{top}/: {len(extra)} file(s) the generator does not write, such as {extra[0]}"
                )
        for where, files in missing.items():
            problems.append(f"{where}/: {len(files)} image(s) missing, such as {files[0]}")
        for where, files in differ.items():
            problems.append(f"{where}/: {len(files)} image(s) differ from what generator {name!r} "
                            f"writes, such as {files[0]}")
    return problems
