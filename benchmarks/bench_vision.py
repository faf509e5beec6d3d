"""Scale budget of mlmarketing.vision (issue 19: image recognition, notebook 03-04).

A brand's social listening exports tens of thousands of posts a month. Reading 20,000 post images
(the shipped ones, read ten times over) and turning them into features must take under 30 s; so
must the classifier's learning curve on them (5 sizes, 3 draws each).
"""

from __future__ import annotations

import pandas as pd

from mlmarketing import load_dataset
from mlmarketing.data import dataset_dir
from mlmarketing.vision import image_features, learning_curve, load_images

POSTS = load_dataset("posts")
PATHS = pd.concat([POSTS["image"]] * 10, ignore_index=True)


def read_and_describe_20000_images() -> None:
    features = image_features(load_images(PATHS, root=dataset_dir()))
    assert features.shape[0] == len(PATHS)


PHOTOS = load_images(dataset_dir() / "03-04-Photos")
FEATURES = image_features(PHOTOS)


def learning_curve_on_600_photos() -> None:
    curve = learning_curve(FEATURES, PHOTOS["label"], [5, 10, 30, 60, 100], n_repeats=3)
    assert curve["accuracy"].iloc[-1] > 0.8


BENCHMARKS = [
    ("load_images + image_features, 20,000 post images", 30.0, read_and_describe_20000_images),
    ("learning_curve, 600 labelled photos, 5 sizes x 3 draws", 30.0, learning_curve_on_600_photos),
]
