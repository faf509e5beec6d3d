"""Scale budget of mlmarketing.recommend (issue: personalisation and next best offer).

Fitting ItemKNNRecommender on 5,000,000 purchases by 500,000 customers of 50,000 products and
recommending 10 products to every customer must finish in under 120 s. The purchases are
simulated when this file is loaded (vectorised, a few seconds), so that the timing covers the
fit and the recommendations only: customers have one of 500 tastes of 100 products each; 60 %
of their purchases follow their taste, the rest the shop's long-tailed popularity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.recommend import ItemKNNRecommender

N_PURCHASES = 5_000_000
N_CUSTOMERS = 500_000
N_PRODUCTS = 50_000
N_TASTES = 500


def _purchases(random_state: int = 1) -> pd.DataFrame:
    gen = np.random.default_rng(random_state)
    per_taste = N_PRODUCTS // N_TASTES
    customer = gen.integers(0, N_CUSTOMERS, size=N_PURCHASES)
    customer[:N_CUSTOMERS] = np.arange(N_CUSTOMERS)  # every customer buys at least once
    taste = gen.integers(0, N_TASTES, size=N_CUSTOMERS)
    within = 1.0 / np.arange(1, per_taste + 1)
    in_taste = taste[customer] * per_taste + gen.choice(per_taste, size=N_PURCHASES, p=within / within.sum())
    popularity = gen.lognormal(0.0, 1.2, size=N_PRODUCTS)
    anywhere = gen.choice(N_PRODUCTS, size=N_PURCHASES, p=popularity / popularity.sum())
    product = np.where(gen.random(N_PURCHASES) < 0.6, in_taste, anywhere)
    customer_ids = np.char.add("C", np.char.zfill(np.arange(N_CUSTOMERS).astype(str), 6)).astype(object)
    product_ids = np.char.add("P", np.char.zfill(np.arange(N_PRODUCTS).astype(str), 5)).astype(object)
    return pd.DataFrame({"customer_id": customer_ids[customer], "product_id": product_ids[product]})


PURCHASES = _purchases()


def fit_and_recommend_ten_to_everyone() -> None:
    model = ItemKNNRecommender().fit(PURCHASES)
    recommendations = model.recommend(k=10)
    assert len(recommendations) == 10 * N_CUSTOMERS


BENCHMARKS = [
    (
        "ItemKNN fit + 10 recs to all, 5M x 500k cust. x 50k prod.",
        120.0,
        fit_and_recommend_ten_to_everyone,
    ),
]

if __name__ == "__main__":
    import time

    start = time.perf_counter()
    model = ItemKNNRecommender().fit(PURCHASES)
    print(f"fit {time.perf_counter() - start:.1f} s, {model.similarity_.nnz:,} similarities kept")
    start = time.perf_counter()
    recommendations = model.recommend(k=10)
    print(f"recommend {time.perf_counter() - start:.1f} s, {len(recommendations):,} rows")
