"""03-04 image recognition on real photos it was not written for (inside scikit-image and scikit-learn).

- A class's folder of faces and photos without a face: scikit-image's ``lfw_subset`` (100 real faces
  from Labeled Faces in the Wild, 100 crops of other photos), 25 × 25 grey PNGs, one subfolder per
  category; no posts table, so section 3 is skipped with a sentence.
- A class's folder of real photos: crops of scikit-image's ``chelsea`` and ``coffee`` and of
  scikit-learn's ``china`` and ``flower``, JPEGs of various sizes, with a posts table written as a
  French export (``;``, decimal commas, day-first dates, cp1252) whose images sit in another folder.

The files are written at test time and deleted with the temporary folder; nothing is downloaded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tests.own_data import cell_errors, run_notebook, write_french_csv

NOTEBOOK = "03-04-image-recognition.ipynb"


def _text(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.slow
def test_a_folder_of_faces_and_non_faces_without_posts(tmp_path):
    from skimage import data

    crops = data.lfw_subset()
    for number, crop in enumerate(crops):
        category = "visage" if number < 100 else "sans-visage"
        (tmp_path / "photos" / category).mkdir(parents=True, exist_ok=True)
        grey = np.rint(crop * 255).astype(np.uint8)  # greyscale, as a class's scanner may give them
        Image.fromarray(grey).save(tmp_path / "photos" / category / f"{number:03d}.png")
    nb = run_notebook(NOTEBOOK, {
        "DATA": "photos", "POSTS": None, "PRODUCT": "visage", "TEST_PER_CLASS": 20,
        "PHOTOS_PER_CLASS": [5, 10, 30, 80],
    }, tmp_path)
    assert cell_errors(nb) == []
    text = _text(nb)
    assert "200 labelled photos in 2 categories: sans-visage 100, visage 100" in text
    assert "section 3 is skipped" in text


def _crops(image: np.ndarray, n: int, gen: np.random.Generator) -> list[np.ndarray]:
    out = []
    for _ in range(n):
        side = int(gen.integers(80, min(image.shape[:2]) - 1))
        top = int(gen.integers(0, image.shape[0] - side))
        left = int(gen.integers(0, image.shape[1] - side))
        out.append(image[top : top + side, left : left + side])
    return out


@pytest.mark.slow
def test_a_folder_of_real_photos_with_a_french_posts_export(tmp_path):
    from skimage import data
    from sklearn.datasets import load_sample_images

    gen = np.random.default_rng(0)
    china, flower = load_sample_images().images
    sources = {"chat": data.chelsea(), "cafe": data.coffee(), "temple": china, "fleur": flower}
    posts = []
    for category, image in sources.items():
        (tmp_path / "photos" / category).mkdir(parents=True)
        for number, crop in enumerate(_crops(image, 40, gen)):
            Image.fromarray(crop).save(tmp_path / "photos" / category / f"{number:02d}.jpg", quality=90)
        (tmp_path / "export" / "images").mkdir(parents=True, exist_ok=True)
        for number, crop in enumerate(_crops(image, 30, gen)):
            name = f"images/{category}-{number:02d}.jpg"
            Image.fromarray(crop).save(tmp_path / "export" / name, quality=90)
            posts.append({"fichier": name, "shows": category == "fleur"})
    table = pd.DataFrame(posts).sample(frac=1, random_state=0).reset_index(drop=True)
    n = len(table)
    table = pd.DataFrame({
        "date_publication": pd.Timestamp("2024-03-04") + pd.to_timedelta(gen.integers(0, 56, n), unit="D"),
        "fichier": table["fichier"],
        "region": gen.choice(["Nord", "Sud"], n),
        "ambiance": gen.choice(["chaude", "froide"], n),
        "j_aime": gen.poisson(40, n),
        "partages": gen.poisson(3, n),
        "commentaires": gen.poisson(5, n),
    })
    table["semaine"] = (table["date_publication"] - table["date_publication"].min()).dt.days // 7 + 1
    write_french_csv(table, tmp_path / "export" / "publications.csv", date_columns=("date_publication",))
    nb = run_notebook(NOTEBOOK, {
        "DATA": "photos", "POSTS": "export/publications.csv", "IMAGE": "fichier", "WEEK": "semaine",
        "SEGMENT": "region", "STYLE": "ambiance", "ENGAGEMENT": ["j_aime", "partages", "commentaires"],
        "PRODUCT": "fleur", "TEST_PER_CLASS": 10, "PHOTOS_PER_CLASS": [5, 10, 30], "BASELINE_STYLE": "froide",
    }, tmp_path)
    assert cell_errors(nb) == []
    text = _text(nb)
    assert "160 labelled photos in 4 categories" in text and "120 posts" in text
    plan = pd.read_csv(tmp_path / "outputs" / "03-04-style-plan.csv")
    assert set(plan["region"]) == {"Nord", "Sud"}
