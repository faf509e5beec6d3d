"""An online shop's purchase history with a long-tailed catalogue (``03-03-Purchases.csv``).

Every product belongs to one of 16 hidden *tastes* (home cooking, trail running, ...) and to one
visible category; each taste lives mostly in one category. Every customer has a few tastes (a
sparse Dirichlet mix). A customer's chance of buying a product is the product's popularity
(long-tailed) times how much the customer likes the product's taste, so "customers who bought
this also bought" carries real information that popularity and categories only partly see.
The generator returns the tastes and the true chance that a customer accepts an offer on any
product, so a notebook can compare every recommender and offer plan with the best possible one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlmarketing.simulate._core import Simulation, rng

FILE = "03-03-Purchases.csv"
CATALOGUE_FILE = "03-03-Products.csv"

# Category: (share of the catalogue, median price in euros, margin rate).
CATEGORIES = {
    "Books": (0.18, 14.0, 0.30),
    "Music": (0.10, 12.0, 0.35),
    "Kitchen": (0.14, 35.0, 0.40),
    "Home": (0.14, 45.0, 0.45),
    "Garden": (0.10, 30.0, 0.40),
    "Sport": (0.12, 40.0, 0.35),
    "Toys": (0.10, 25.0, 0.45),
    "Beauty": (0.12, 20.0, 0.55),
}
N_TASTES = 16
TASTE_IN_HOME_CATEGORY = 0.75  # share of a taste's products in its "home" category
TASTE_CONCENTRATION = 0.08  # Dirichlet parameter: small = each customer has one or two tastes
BACKGROUND_TASTE = 0.005  # liking for products outside the customer's tastes
POPULARITY_SIGMA = 1.2  # log-normal spread of popularity: the long tail
PURCHASES_PER_CUSTOMER = 9.0  # mean distinct products bought in the year
REPEAT_SHARE = 0.04  # share of purchases that are a repeat of an earlier product
DUPLICATE_ROWS = 40  # order lines exported twice, as real exports have
OFFER_LIFT = 4.0  # an offer multiplies the customer's natural intensity of buying the product
OFFER_WEEKS = 4  # an offer is valid four weeks
START = pd.Timestamp("2024-01-01")
DAYS = 366
CHANNELS = ["web", "app", "store"]


def simulate_purchases(
    n_customers: int = 2500, n_products: int = 1000, random_state: int = 20240303
) -> Simulation:
    """Simulate a year of an online shop's purchases, with planted tastes and affinities.

    Parameters
    ----------
    n_customers : int, default 2500
        Customers (each buys at least one product).
    n_products : int, default 1000
        Products in the catalogue (some are never bought: the long tail).
    random_state : int, default 20240303
        Seed; the defaults give the shipped files.

    Returns
    -------
    Simulation
        ``tables["03-03-Purchases.csv"]`` (one row per order line: ``customer_id``, ``date``,
        ``product_id``, ``category``, ``price``, ``margin``, ``channel``),
        ``tables["03-03-Products.csv"]`` (the catalogue), and ``truth`` with ``customer_taste``
        (customers × tastes DataFrame), ``product_taste`` and ``popularity`` (per product),
        ``preference`` (customers × products: the share of the customer's purchases that goes to
        each product), ``weekly_rate`` (distinct products a customer buys per week) and
        ``acceptance_probability`` (customers × products: the chance that the customer accepts a
        four-week offer on the product, ``1 - exp(-OFFER_LIFT * rate * 4 * preference)``).

    Examples
    --------
    >>> sim = simulate_purchases(n_customers=100, n_products=50)
    >>> sim.tables["03-03-Purchases.csv"].columns.tolist()
    ['customer_id', 'date', 'product_id', 'category', 'price', 'margin', 'channel']
    """
    gen = rng(random_state)
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[c][0] for c in names])

    # Tastes and their home categories: two tastes per category, in order.
    taste_home = np.arange(N_TASTES) % len(names)
    product_taste = gen.integers(0, N_TASTES, size=n_products)
    at_home = gen.random(n_products) < TASTE_IN_HOME_CATEGORY
    elsewhere = gen.choice(len(names), size=n_products, p=shares / shares.sum())
    product_category = np.where(at_home, taste_home[product_taste], elsewhere)
    popularity = gen.lognormal(0.0, POPULARITY_SIGMA, size=n_products)
    popularity /= popularity.sum()

    median_price = np.array([CATEGORIES[c][1] for c in names])[product_category]
    price = np.round(median_price * gen.lognormal(0.0, 0.5, size=n_products)) - 0.01
    price = np.maximum(price, 2.99)
    rate = np.array([CATEGORIES[c][2] for c in names])[product_category]
    margin = np.round(price * np.clip(gen.normal(rate, 0.06), 0.08, 0.75), 2)
    product_ids = [f"P{j:04d}" for j in range(1, n_products + 1)]
    catalogue = pd.DataFrame(
        {
            "product_id": product_ids,
            "category": np.array(names)[product_category],
            "price": price.round(2),
            "margin": margin,
        }
    )

    # Customers: a sparse mix of tastes, a purchase frequency, a favourite channel.
    taste = gen.dirichlet(np.full(N_TASTES, TASTE_CONCENTRATION), size=n_customers)
    weight = popularity[None, :] * (BACKGROUND_TASTE + taste[:, product_taste])
    preference = weight / weight.sum(axis=1, keepdims=True)
    n_bought = np.minimum(1 + gen.negative_binomial(2, 2 / (1 + PURCHASES_PER_CUSTOMER), n_customers),
                          n_products // 2)
    weekly_rate = n_bought / (DAYS / 7)

    # Distinct products per customer without replacement (Gumbel top-k on the preferences).
    keys = np.log(preference) + gen.gumbel(size=preference.shape)
    deepest = int(n_bought.max())
    order = np.argpartition(-keys, deepest - 1, axis=1)[:, :deepest]
    order = np.take_along_axis(order, np.argsort(-np.take_along_axis(keys, order, axis=1), axis=1), axis=1)
    customer_index = np.repeat(np.arange(n_customers), n_bought)
    position = np.arange(len(customer_index)) - np.repeat(np.cumsum(n_bought) - n_bought, n_bought)
    product_index = order[customer_index, position]
    day = gen.integers(0, DAYS, size=len(product_index))

    # A few repeat purchases of a product bought earlier, and order lines exported twice.
    n_repeat = int(REPEAT_SHARE * len(product_index))
    again = gen.choice(len(product_index), size=n_repeat, replace=False)
    later = np.minimum(day[again] + gen.integers(7, 120, size=n_repeat), DAYS - 1)
    customer_index = np.concatenate([customer_index, customer_index[again]])
    product_index = np.concatenate([product_index, product_index[again]])
    day = np.concatenate([day, later])
    twice = gen.choice(len(product_index), size=min(DUPLICATE_ROWS, len(product_index)), replace=False)
    customer_index = np.concatenate([customer_index, customer_index[twice]])
    product_index = np.concatenate([product_index, product_index[twice]])
    day = np.concatenate([day, day[twice]])

    favourite_channel = gen.choice(len(CHANNELS), size=n_customers, p=[0.55, 0.30, 0.15])
    same = gen.random(len(customer_index)) < 0.8
    channel = np.where(same, favourite_channel[customer_index],
                       gen.choice(len(CHANNELS), size=len(customer_index)))
    if len(twice):
        channel[-len(twice):] = channel[twice]

    customer_ids = np.array([f"C{i:05d}" for i in range(1, n_customers + 1)])
    table = pd.DataFrame(
        {
            "customer_id": customer_ids[customer_index],
            "date": START + pd.to_timedelta(day, unit="D"),
            "product_id": np.array(product_ids)[product_index],
            "category": catalogue["category"].to_numpy()[product_index],
            "price": catalogue["price"].to_numpy()[product_index],
            "margin": catalogue["margin"].to_numpy()[product_index],
            "channel": np.array(CHANNELS)[channel],
        }
    )
    table = table.sort_values(["date", "customer_id", "product_id"], kind="stable").reset_index(drop=True)

    intensity = OFFER_LIFT * weekly_rate[:, None] * OFFER_WEEKS * preference
    truth = {
        "customer_taste": pd.DataFrame(taste, index=customer_ids,
                                       columns=[f"taste {t + 1}" for t in range(N_TASTES)]),
        "product_taste": pd.Series(product_taste + 1, index=product_ids, name="taste"),
        "taste_home_category": {t + 1: names[taste_home[t]] for t in range(N_TASTES)},
        "popularity": pd.Series(popularity, index=product_ids, name="popularity"),
        "preference": pd.DataFrame(preference, index=customer_ids, columns=product_ids),
        "weekly_rate": pd.Series(weekly_rate, index=customer_ids, name="weekly_rate"),
        "acceptance_probability": pd.DataFrame(-np.expm1(-intensity), index=customer_ids,
                                               columns=product_ids),
        "offer_lift": OFFER_LIFT,
        "offer_weeks": OFFER_WEEKS,
    }
    return Simulation(tables={FILE: table, CATALOGUE_FILE: catalogue}, truth=truth)
