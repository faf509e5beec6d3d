"""A drinks brand's photo campaign (``03-04-Posts.csv`` and its images), notebook 03-04.

The brand runs a 12-week photo campaign and watches what customers post on social media. Each
post has a small image (48 × 48 pixels) made here, seeded and reproducible: a crop of a real
photo or texture shipped inside scikit-image (``coffee``, ``chelsea``, ``brick``, ``rocket``,
``grass``, ``gravel``) as the background, graded to a warm, cool or neutral palette, sometimes a
person (a real face from scikit-image's ``lfw_subset``), and one of four things drawn on it with
a random size, angle, colour and light: the brand's bottle (dark glass, red label), a
competitor's can, a mug, or nothing (a distractor such as a ball or a plate may be there too).

Two sets of images are written:

- ``03-04-Photos/<category>/``: the photos a team labelled by hand to train a classifier,
  ``n_labelled`` per category (folder names are the labels);
- ``03-04-Posts/``: one image per post of ``03-04-Posts.csv``.

The images are JPEG files, as social networks store them (a PNG of a photo is three times larger).

Planted truth: which posts show the bottle (its share grows during the campaign and differs by
region), and the expected engagement (likes + shares + comments) of a post: a base by region,
times a factor for the palette that depends on the region (the *visual affinity*: warm tones do
better in the south, cool tones in the north and Paris), for people in the photo, an outdoor
setting and the bottle shown. Counts are negative-binomial around that expectation; the
styles are assigned at random, so the associations a notebook measures are also the effects.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from functools import cache

import numpy as np
import pandas as pd
from scipy import ndimage

from mlmarketing.simulate._core import Simulation, rng

FILE = "03-04-Posts.csv"
PHOTOS = "03-04-Photos"
POST_IMAGES = "03-04-Posts"
SIZE = 48  # pixels of a side of every image
NOISE = 2.0  # sensor noise (grey levels)
MAX_ANGLE = 12.0  # degrees a product may lean either way
PRODUCT_HEIGHT = (0.65, 0.9)  # a product's height, as a share of the photo's
SIDE_OFFSET = 0.12  # a product sits this far from the centre (the person, if any, on the other side)
JITTER = 0.04  # and moves this much more, at random (share of the photo)
DISTRACTOR_SHARE = 0.35  # photos with a ball or a plate somewhere
BACKGROUND_BLUR = 3.0  # fine pixels: the background is out of focus, as behind a product photographed
_FINE = 2  # shapes are drawn on a grid this many times finer, then averaged: smooth edges

CATEGORIES = ["our-bottle", "competitor-can", "mug", "no-product"]
REGIONS = ["Ile-de-France", "Nord-Est", "Ouest", "Sud-Est", "Sud-Ouest"]
REGION_SHARES = [0.28, 0.18, 0.18, 0.20, 0.16]
PALETTES = ["warm", "cool", "neutral"]
SETTINGS = ["indoor", "outdoor"]
START = pd.Timestamp("2024-05-06")  # a Monday: campaign week 1
WEEKS = 12
PEOPLE_SHARE = 0.45
OUTDOOR_SHARE = 0.5
# Share of posts that show the bottle: before the campaign is felt, and its rise by the last
# week (a logistic ramp), times a regional reach.
BOTTLE_SHARE_START = 0.12
BOTTLE_SHARE_END = 0.38
REGION_REACH = {"Ile-de-France": 1.15, "Nord-Est": 0.8, "Ouest": 1.0, "Sud-Est": 1.1, "Sud-Ouest": 0.85}
CAN_SHARE, MUG_SHARE = 0.16, 0.14  # the rest shows no product
# Expected engagement (likes + shares + comments) of a post: base by region, times the factors.
BASE_ENGAGEMENT = {"Ile-de-France": 40.0, "Nord-Est": 30.0, "Ouest": 32.0, "Sud-Est": 36.0, "Sud-Ouest": 30.0}
PALETTE_EFFECT = {  # region -> palette -> factor (the visual affinity)
    "Ile-de-France": {"warm": 0.85, "cool": 1.30, "neutral": 1.0},
    "Nord-Est": {"warm": 0.90, "cool": 1.25, "neutral": 1.0},
    "Ouest": {"warm": 1.05, "cool": 1.05, "neutral": 1.0},
    "Sud-Est": {"warm": 1.40, "cool": 0.85, "neutral": 1.0},
    "Sud-Ouest": {"warm": 1.35, "cool": 0.90, "neutral": 1.0},
}
PEOPLE_EFFECT = 1.3
OUTDOOR_EFFECT = 1.1
BOTTLE_EFFECT = 1.15
DISPERSION = 2.0  # negative-binomial size: small = a few posts go viral
# How engagement splits into likes, shares and comments.
ENGAGEMENT_SPLIT = (0.82, 0.06, 0.12)

_INDOOR = ["coffee", "chelsea", "brick"]
_OUTDOOR = ["rocket", "grass", "gravel"]
_TINTS = {"brick": (1.05, 0.8, 0.7), "grass": (0.75, 1.05, 0.6), "gravel": (1.0, 0.95, 0.85)}
_CAN_COLOURS = [(30, 80, 200), (170, 175, 185), (20, 140, 70), (230, 190, 30)]
_MUG_COLOURS = [(235, 235, 230), (40, 90, 170), (230, 200, 60), (60, 60, 60), (200, 120, 160)]
_GRADE = {"warm": (1.12, 1.0, 0.82), "cool": (0.85, 0.98, 1.15), "neutral": (1.0, 1.0, 1.0)}


def simulate_posts(n_posts: int = 2000, n_labelled: int = 150, random_state: int = 20240304) -> Simulation:
    """Simulate a photo campaign's social-media posts with their images, and labelled photos.

    Parameters
    ----------
    n_posts : int, default 2000
        Posts over the 12 campaign weeks (each with one image).
    n_labelled : int, default 150
        Labelled photos per category (our bottle, competitor's can, mug, no product).
    random_state : int, default 20240304
        Seed; the defaults give the shipped files.

    Returns
    -------
    Simulation
        ``tables["03-04-Posts.csv"]`` (one row per post: ``post_id``, ``date``, ``campaign_week``,
        ``region``, ``image``, ``likes``, ``shares``, ``comments``, ``palette``, ``setting``,
        ``people``), ``images`` (path relative to the dataset folder → 48 × 48 × 3 pixels, drawn
        when first read) and ``truth`` with ``category`` (what each post shows, indexed by
        ``post_id``), ``bottle_probability`` (the planted chance, per post),
        ``expected_engagement`` (per post), ``palette_effect`` (region × palette factors),
        ``people_effect``, ``outdoor_effect``, ``bottle_effect`` and ``base_engagement``.

    Examples
    --------
    >>> sim = simulate_posts(n_posts=20, n_labelled=2)
    >>> sim.tables["03-04-Posts.csv"].columns.tolist()[:5]
    ['post_id', 'date', 'campaign_week', 'region', 'image']
    >>> len(sim.images), sim.images["03-04-Posts/P0001.jpg"].shape
    (28, (48, 48, 3))
    """
    gen = rng(random_state)
    # Each image has a generator of its own: the table and the truth never depend on drawing
    # them, so planted_truth("posts") is quick, and an image can be drawn alone.
    recipes: dict[str, tuple] = {}
    for kind, category in enumerate(CATEGORIES):
        for number in range(1, n_labelled + 1):
            style = (str(gen.choice(PALETTES)), str(gen.choice(SETTINGS)), bool(gen.random() < PEOPLE_SHARE))
            path = f"{PHOTOS}/{category}/{category}-{number:03d}.jpg"
            recipes[path] = (category, *style, (random_state, 1 + kind, number))

    ids = [f"P{i:04d}" for i in range(1, n_posts + 1)]
    week = np.sort(gen.integers(1, WEEKS + 1, n_posts))
    date = START + pd.to_timedelta((week - 1) * 7 + gen.integers(0, 7, n_posts), unit="D")
    region = gen.choice(REGIONS, n_posts, p=REGION_SHARES)
    palette = gen.choice(PALETTES, n_posts)
    setting = np.where(gen.random(n_posts) < OUTDOOR_SHARE, "outdoor", "indoor")
    people = gen.random(n_posts) < PEOPLE_SHARE
    ramp = 1 / (1 + np.exp(-(week - WEEKS / 2) / 1.5))
    reach = np.array([REGION_REACH[r] for r in region])
    p_bottle = np.clip((BOTTLE_SHARE_START + (BOTTLE_SHARE_END - BOTTLE_SHARE_START) * ramp) * reach, 0, 0.6)
    u = gen.random(n_posts)
    category = np.select(
        [u < p_bottle, u < p_bottle + CAN_SHARE, u < p_bottle + CAN_SHARE + MUG_SHARE],
        CATEGORIES[:3],
        default=CATEGORIES[3],
    )
    images = [f"{POST_IMAGES}/{post}.jpg" for post in ids]
    for i, path in enumerate(images):
        recipes[path] = (
            str(category[i]),
            str(palette[i]),
            str(setting[i]),
            bool(people[i]),
            (random_state, 0, i),
        )

    expected = (
        np.array([BASE_ENGAGEMENT[r] for r in region])
        * np.array([PALETTE_EFFECT[r][p] for r, p in zip(region, palette, strict=True)])
        * np.where(people, PEOPLE_EFFECT, 1.0)
        * np.where(setting == "outdoor", OUTDOOR_EFFECT, 1.0)
        * np.where(category == "our-bottle", BOTTLE_EFFECT, 1.0)
    )
    engagement = gen.negative_binomial(DISPERSION, DISPERSION / (DISPERSION + expected))
    split = np.array([gen.multinomial(n, ENGAGEMENT_SPLIT) for n in engagement]).reshape(n_posts, 3)
    table = pd.DataFrame(
        {
            "post_id": ids,
            "date": date,
            "campaign_week": week,
            "region": region,
            "image": images,
            "likes": split[:, 0],
            "shares": split[:, 1],
            "comments": split[:, 2],
            "palette": palette,
            "setting": setting,
            "people": people,
        }
    )
    index = pd.Index(ids, name="post_id")
    truth = {
        "category": pd.Series(category, index=index, name="category"),
        "bottle_probability": pd.Series(p_bottle, index=index, name="bottle probability"),
        "expected_engagement": pd.Series(expected, index=index, name="expected engagement"),
        "palette_effect": pd.DataFrame(PALETTE_EFFECT).T.rename_axis("region"),
        "people_effect": PEOPLE_EFFECT,
        "outdoor_effect": OUTDOOR_EFFECT,
        "bottle_effect": BOTTLE_EFFECT,
        "base_engagement": dict(BASE_ENGAGEMENT),
    }
    # The drawn images are kept for the session: writing, then checking, draws them once.
    key = (n_posts, n_labelled, random_state)
    if key not in _DRAWN or _DRAWN[key]._recipes != recipes:
        _DRAWN[key] = _Drawn(recipes)
    return Simulation(tables={FILE: table}, truth=truth, images=_DRAWN[key])


_DRAWN: dict[tuple, _Drawn] = {}


class _Drawn(Mapping):
    """Path -> pixels, each image drawn from its recipe the first time it is read, then kept."""

    def __init__(self, recipes: dict[str, tuple]) -> None:
        self._recipes = recipes
        self._drawn: dict[str, np.ndarray] = {}

    def __getitem__(self, path: str) -> np.ndarray:
        if path not in self._drawn:
            *style, seed = self._recipes[path]
            self._drawn[path] = draw_photo(*style, np.random.default_rng(seed))
        return self._drawn[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._recipes)

    def __len__(self) -> int:
        return len(self._recipes)


# ---------------------------------------------------------------------------------------------
# Drawing one photo
# ---------------------------------------------------------------------------------------------


@cache
def _background_sources() -> dict[str, np.ndarray]:
    """The real photos and textures the backgrounds are cut from, as float RGB (0-255)."""
    from skimage import data

    sources = {}
    for name in _INDOOR + _OUTDOOR:
        image = getattr(data, name)().astype(float)
        if image.ndim == 2:  # a grey texture: tinted so that it looks like brick, grass or gravel
            image = image[:, :, None] * np.array(_TINTS[name])
        sources[name] = image
    return sources


@cache
def _faces() -> np.ndarray:
    """The 100 real faces of scikit-image's lfw_subset (25 × 25, grey, 0-1)."""
    from skimage import data

    return data.lfw_subset()[:100]


@cache
def _pyramid(name: str) -> tuple[np.ndarray, ...]:
    """A source averaged in k × k blocks (k = 1, 2, 3): crops of each show it at another scale."""
    source = _background_sources()[name]
    levels = []
    for k in (1, 2, 3):
        h, w = source.shape[0] // k * k, source.shape[1] // k * k
        levels.append(source[:h, :w].reshape(h // k, k, w // k, k, 3).mean(axis=(1, 3)))
    return tuple(levels)


def _background(setting: str, gen: np.random.Generator) -> np.ndarray:
    fine = SIZE * _FINE
    name = str(gen.choice(_INDOOR if setting == "indoor" else _OUTDOOR))
    level = _pyramid(name)[int(gen.integers(0, 3))]
    top = int(gen.integers(0, level.shape[0] - fine + 1))
    left = int(gen.integers(0, level.shape[1] - fine + 1))
    crop = level[top : top + fine, left : left + fine]
    crop = ndimage.gaussian_filter(crop, (BACKGROUND_BLUR, BACKGROUND_BLUR, 0))
    return crop[:, ::-1] if gen.random() < 0.5 else crop


def _grid(
    gen: np.random.Generator, height: float, centre: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of every fine pixel in an object's own frame: u across, v up, in object heights."""
    fine = SIZE * _FINE
    angle = math.radians(float(gen.uniform(-MAX_ANGLE, MAX_ANGLE)))
    rows, cols = np.mgrid[0:fine, 0:fine] + 0.5
    dx, dy = cols - centre[1], centre[0] - rows
    cos, sin = math.cos(angle), math.sin(angle)
    u = (cos * dx + sin * dy) / height
    v = (-sin * dx + cos * dy) / height + 0.5
    return u, v


def _shade(u: np.ndarray, half_width: float) -> np.ndarray:
    """Cylinder shading: brighter in the middle, darker at the edges, with a highlight."""
    x = np.clip(u / half_width, -1, 1)
    return (1 - 0.45 * x**2 + 0.35 * np.clip(1 - ((x + 0.35) / 0.15) ** 2, 0, None))[..., None]


def _bottle(u: np.ndarray, v: np.ndarray, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # The contour: a body with a waist, a shoulder, then the neck.
    body = 0.17 - 0.03 * np.clip(1 - ((v - 0.33) / 0.12) ** 2, 0, None)
    half = np.where(v < 0.62, body, np.where(v < 0.8, 0.17 - (v - 0.62) / 0.18 * 0.11, 0.06))
    mask = (np.abs(u) < half) & (v > 0) & (v < 1)
    glass = np.array([70.0, 38.0, 25.0]) * float(gen.uniform(0.7, 1.3))
    colour = np.broadcast_to(glass, u.shape + (3,)).copy()
    label = (v > 0.22) & (v < 0.47)
    colour[label] = (205.0, 25.0, 35.0)
    wave = label & (np.abs(v - 0.345 - 0.04 * np.sin(u * 30)) < 0.02)
    colour[wave] = (245.0, 245.0, 245.0)
    colour[v > 0.95] = (200.0, 30.0, 30.0)  # the cap
    return mask, colour * _shade(u, 0.17)


def _can(u: np.ndarray, v: np.ndarray, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half, top = 0.25, 0.72
    mask = (np.abs(u) < half) & (v > 0) & (v < top)
    base = np.array(_CAN_COLOURS[int(gen.integers(len(_CAN_COLOURS)))], dtype=float)
    colour = np.broadcast_to(base, u.shape + (3,)).copy()
    rim = (v > top - 0.06) | (v < 0.04)
    colour[rim] = (190.0, 190.0, 195.0)
    stripe = (v > 0.3) & (v < 0.4)
    colour[stripe] = colour[stripe] * 0.5 + 120
    return mask, colour * _shade(u, half)


def _mug(u: np.ndarray, v: np.ndarray, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half, top = 0.3, 0.6
    body = (np.abs(u) < half) & (v > 0) & (v < top)
    radius = np.hypot(u - half, v - 0.3)
    handle = (radius < 0.19) & (radius > 0.11) & (u > half - 0.02)
    base = np.array(_MUG_COLOURS[int(gen.integers(len(_MUG_COLOURS)))], dtype=float)
    colour = np.broadcast_to(base, u.shape + (3,)).copy() * _shade(u, half)
    colour[handle & ~body] = base * 0.8
    return body | handle, colour


_DRAW = {"our-bottle": _bottle, "competitor-can": _can, "mug": _mug}


def _blob(gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A distractor: a ball or a plate (an ellipse) of any colour."""
    fine = SIZE * _FINE
    rows, cols = np.mgrid[0:fine, 0:fine] + 0.5
    centre = gen.uniform(0.15, 0.85, 2) * fine
    axes = gen.uniform(0.08, 0.22, 2) * fine
    mask = ((rows - centre[0]) / axes[0]) ** 2 + ((cols - centre[1]) / axes[1]) ** 2 < 1
    colour = np.broadcast_to(gen.uniform(20, 235, 3), (fine, fine, 3))
    return mask, colour


def draw_photo(
    category: str, palette: str, setting: str, people: bool, gen: np.random.Generator
) -> np.ndarray:
    """One 48 × 48 RGB photo (uint8) showing ``category`` on a background of the given style."""
    fine = SIZE * _FINE
    image = _background(setting, gen)
    if gen.random() < DISTRACTOR_SHARE:
        mask, colour = _blob(gen)
        image = np.where(mask[..., None], colour, image)
    product_side = 1.0 if gen.random() < 0.5 else 0.0  # the product on one side, the person on the other
    if people:
        face = _faces()[int(gen.integers(len(_faces())))]
        scale = int(gen.integers(2, 4))  # 50 or 75 fine pixels: 25 to 37 pixels in the photo
        face = np.kron(face, np.ones((scale, scale)))
        side = face.shape[0]
        top = int(gen.integers(0, fine - side + 1))
        shift = int((fine - side) * float(gen.uniform(0.0, 0.4)))
        left = shift if product_side else fine - side - shift
        skin = np.array([235.0, 190.0, 160.0]) * float(gen.uniform(0.45, 1.1))
        # The face and its hair, not the square crop: an ellipse of the crop.
        rows, cols = np.mgrid[0:side, 0:side] + 0.5 - side / 2
        oval = (rows / (0.5 * side)) ** 2 + (cols / (0.42 * side)) ** 2 < 1
        window = image[top : top + side, left : left + side]
        window[oval] = (face[..., None] * skin)[oval]
    if category in _DRAW:
        height = float(gen.uniform(*PRODUCT_HEIGHT)) * fine
        column = (
            fine * (0.5 + SIDE_OFFSET * (2 * product_side - 1)) + float(gen.uniform(-JITTER, JITTER)) * fine
        )
        centre = (fine / 2 + float(gen.uniform(-JITTER, JITTER)) * fine, column)
        u, v = _grid(gen, height, centre)
        mask, colour = _DRAW[category](u, v, gen)
        image = np.where(mask[..., None], colour, image)
    light = float(gen.uniform(0.65, 1.3))
    image = image * np.array(_GRADE[palette]) * light
    image = image.reshape(SIZE, _FINE, SIZE, _FINE, 3).mean(axis=(1, 3))
    image = image + gen.normal(0, NOISE, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)
