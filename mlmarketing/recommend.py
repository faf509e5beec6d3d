"""Recommendations and a next-best-offer engine (notebook ``03-03-personalisation.ipynb``).

Three ways to choose the next products to show a customer, all fitted on a purchase history
(one row per order line: customer, product, and for the rule a category):

- :class:`PopularityRecommender`: the shop's best sellers, the same for everyone;
- :class:`RuleBasedRecommender`: the business rule, the best sellers of the customer's favourite
  category;
- :class:`ItemKNNRecommender`: item-to-item collaborative filtering, "customers who bought this
  also bought", from a sparse co-occurrence matrix (scipy.sparse, never a dense customer ×
  product table, so it scales to millions of purchases).

:class:`ScoreTableRecommender` ranks from any customer × product score table (for example a
planted truth, the best possible ranking). :func:`evaluate_recommender` compares recommenders
honestly on a time split (fit on the past, score on the following weeks) with
:func:`recommendation_metrics`; :func:`long_tail` says which products are the tail.
:func:`purchase_probability` turns scores into probabilities by a back-test,
:func:`next_best_offer` turns acceptance probabilities and margins into one offer per customer
under stock or budget limits, and :func:`plot_long_tail` and :func:`plot_metrics` draw the two
pictures of the notebook.

Choices that apply to every recommender:

- a purchase history is **implicit feedback**: a customer who bought a product twice (or whose
  order line was exported twice) counts as having bought it, once;
- by default a customer is never shown a product they already bought;
- a customer unknown at fit time (*cold start*) gets the best sellers; an unknown product in a
  customer's later history is ignored, because the model knows nothing about it;
- customer and product ids are compared as text after normalising (:func:`mlmarketing._validation.read_ids`):
  ``7``, ``"7"`` and ``"7.0"`` are one customer, and the results hold the ids as text;
- dates are read with the kit's one date reader (ISO, else day first: ``"01/12/2024"`` is
  1 December), the ``cut`` argument too.

Every recommender is a scikit-learn estimator (``get_params``, ``set_params``, ``sklearn.base.clone``);
a fitted one, and an :class:`OfferPlan`, has ``summary()``, a labelled table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter
from scipy import sparse
from sklearn.base import BaseEstimator, clone

from mlmarketing._engines import engine_frame, item_counts
from mlmarketing._errors import DataError
from mlmarketing._validation import (
    check_columns,
    check_frame,
    check_numeric,
    check_positive_int,
    describe_rows,
    new_axes,
    read_date,
    read_dates,
    read_ids,
    shown,
)

__all__ = [
    "ItemKNNRecommender",
    "OfferPlan",
    "campaign_margin",
    "PopularityRecommender",
    "RuleBasedRecommender",
    "ScoreTableRecommender",
    "evaluate_recommender",
    "long_tail",
    "next_best_offer",
    "pair_values",
    "product_table",
    "purchase_probability",
    "plot_long_tail",
    "plot_metrics",
    "recommendation_metrics",
]

RECOMMENDATION_COLUMNS = ["customer", "rank", "item", "score"]


# --------------------------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------------------------


def _check_history(purchases: object, columns: Sequence[str], *, name: str = "purchases") -> pd.DataFrame:
    frame = check_frame(purchases, name=name)
    check_columns(frame, list(columns))
    for column in columns:
        missing = frame[column].isna()
        if missing.any():
            raise DataError(
                f"column {column!r} has {int(missing.sum())} missing value(s) "
                f"({describe_rows(frame.index, missing)}); drop those rows "
                f"({name}.dropna(subset=[{column!r}])) or fill them in first."
            )
    return frame


def _encode_ids(series: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes of normalised ids (``7``, ``"7"`` and ``"7.0"`` are one) and the sorted distinct ids.

    Ids repeat: each distinct value is normalised once (:func:`read_ids`), then the rows take
    the code of their normalised id.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if (codes < 0).any():
        read_ids(series, column=column)  # raises, naming the rows
    values = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    names = read_ids(values, column=column).to_numpy(dtype=object)
    distinct, inverse = np.unique(names.astype(str), return_inverse=True)
    return inverse[codes], distinct.astype(object)


def _ids(values: object, column: str) -> pd.Series:
    """Normalised text ids of a column (or a list), keeping its index."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(np.atleast_1d(values)), dtype=object)
    codes, distinct = _encode_ids(series, column)
    return pd.Series(distinct[codes], index=series.index, name=series.name, dtype=object)


def _check_k(k: object) -> int:
    return check_positive_int(k, "k (products per customer)")


def _summary_table(values: dict) -> pd.DataFrame:
    return pd.DataFrame({"value": list(values.values())}, index=pd.Index(list(values), name="quantity"))


class _BaseRecommender(BaseEstimator):
    """Codes customers and products, keeps who bought what, and recommends by scores."""

    customer: str
    item: str

    def _fit_codes(self, frame: pd.DataFrame) -> None:
        rows, self.customers_ = _encode_ids(frame[self.customer], self.customer)
        cols, self.items_ = _encode_ids(frame[self.item], self.item)
        self._customer_index = pd.Index(self.customers_)
        history = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(self.customers_), len(self.items_)),
        )
        history.sum_duplicates()
        history.data[:] = 1.0  # bought twice = bought
        self.history_ = history
        self.item_counts_ = np.asarray(history.sum(axis=0)).ravel()
        # Best sellers first; ties broken by product id so the order never depends on chance.
        self.best_sellers_ = np.lexsort((np.arange(len(self.items_)), -self.item_counts_))

    def _check_fitted(self) -> None:
        if not hasattr(self, "history_"):
            raise DataError(f"this {type(self).__name__} is not fitted yet: call .fit(purchases) first.")

    def summary(self) -> pd.DataFrame:
        """What the fitted recommender learnt from: customers, products and distinct purchases.

        Returns
        -------
        pandas.DataFrame
            Index ``quantity``, one column ``value``.
        """
        self._check_fitted()
        return _summary_table(self._summary_values())

    def _summary_values(self) -> dict:
        return {
            "customers": len(self.customers_),
            "products": len(self.items_),
            "distinct purchases (customer, product)": int(self.history_.nnz),
        }

    def _resolve(self, customers: object, k: int, items: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Customer ids, their row in the history (-1 = unknown), and the allowed item codes."""
        self._check_fitted()
        if customers is None:
            ids = self.customers_
        else:
            ids = np.asarray(_ids(customers, "customers").drop_duplicates(), dtype=object)
        rows = self._customer_index.get_indexer(ids)
        if items is None:
            allowed = np.arange(len(self.items_))
        else:
            wanted = _ids(items, "items").drop_duplicates()
            allowed = pd.Index(self.items_).get_indexer(wanted)
            unknown = wanted[allowed < 0]
            if len(unknown):
                raise DataError(
                    f"product {unknown.iloc[0]!r} was never bought in the history the recommender was "
                    "fitted on, so it cannot be scored. Remove it from items or refit on a history "
                    "that contains it."
                )
        if k > len(allowed):
            raise DataError(
                f"k={k} but only {len(allowed)} product(s) can be recommended. Ask for at most "
                f"{len(allowed)}."
            )
        return ids, rows, np.sort(allowed)

    def _scores(self, rows: np.ndarray, depth: int, allowed: np.ndarray) -> sparse.csr_matrix:
        """Sparse scores of known customers (rows of the history); zero = not a candidate.

        ``depth`` is how many candidates per customer are enough (k plus what they bought),
        ``allowed`` the boolean mask of the products that may be recommended.
        """
        raise NotImplementedError

    def _top_sellers(self, depth: int, allowed: np.ndarray) -> np.ndarray:
        return self.best_sellers_[allowed[self.best_sellers_]][:depth]

    def recommend(
        self,
        customers: object = None,
        k: int = 10,
        *,
        items: object = None,
        exclude_bought: bool = True,
        batch_size: int = 20_000,
    ) -> pd.DataFrame:
        """The top ``k`` products for each customer.

        Parameters
        ----------
        customers : list-like, optional
            Customer ids (compared as text: ``7`` and ``"7"`` are one customer); default every
            customer of the fitted history. Unknown customers (cold start) get the best sellers,
            with score 0.
        k : int, default 10
            Products per customer. At most the number of products that can be recommended,
            else :class:`~mlmarketing.DataError`.
        items : list-like, optional
            Restrict the recommendations to these products (for example the products on offer).
        exclude_bought : bool, default True
            Never recommend a product the customer already bought. If a customer has bought
            almost everything, they get fewer than ``k`` rows.
        batch_size : int, default 20000
            Customers scored at once (memory versus speed).

        Returns
        -------
        pandas.DataFrame
            One row per customer and rank: ``customer``, ``rank`` (1 = best), ``item``,
            ``score`` (higher = better; comparable within one recommender only). Ids are text.
        """
        k = _check_k(k)
        batch_size = check_positive_int(batch_size, "batch_size")
        ids, rows, allowed = self._resolve(customers, k, items)
        mask = np.zeros(len(self.items_), dtype=bool)
        mask[allowed] = True
        # Tie-breaker: the best sellers first, then the product order.
        tie = np.empty(len(self.items_))
        tie[self.best_sellers_] = np.arange(len(self.items_), 0, -1) / (len(self.items_) + 1.0)

        out_customer, out_rank, out_item, out_score = [], [], [], []
        known = np.flatnonzero(rows >= 0)
        for start in range(0, len(known), batch_size):
            chunk = known[start:start + batch_size]
            bought = self.history_[rows[chunk]]
            depth = k + int(np.diff(bought.indptr).max(initial=0))
            scores = self._scores(rows[chunk], depth, mask).tocsr()
            top_items, top_scores = _top_k_rows(
                scores, bought if exclude_bought else None, mask, tie, k,
                self.best_sellers_,
            )
            out_customer.append(np.repeat(chunk, k))
            out_item.append(top_items.ravel())
            out_score.append(top_scores.ravel())
            out_rank.append(np.tile(np.arange(1, k + 1), len(chunk)))
        unknown = np.flatnonzero(rows < 0)
        if len(unknown):
            popular = self.best_sellers_[mask[self.best_sellers_]][:k]
            out_customer.append(np.repeat(unknown, len(popular)))
            out_item.append(np.tile(popular, len(unknown)))
            out_score.append(np.zeros(len(unknown) * len(popular)))
            out_rank.append(np.tile(np.arange(1, len(popular) + 1), len(unknown)))
        if not out_customer:
            return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
        position = np.concatenate(out_customer)
        item_code = np.concatenate(out_item)
        keep = item_code >= 0  # a customer who bought nearly everything has empty slots
        order = np.argsort(position[keep], kind="stable")
        return pd.DataFrame(
            {
                "customer": ids[position[keep][order]],
                "rank": np.concatenate(out_rank)[keep][order],
                "item": self.items_[item_code[keep][order]],
                "score": np.concatenate(out_score)[keep][order].astype(float),
            }
        )


def _same_row_for_all(n_rows: int, cols: np.ndarray, values: np.ndarray, n_cols: int) -> sparse.csr_matrix:
    """A sparse matrix whose every row holds ``values`` at ``cols``."""
    indptr = np.arange(n_rows + 1) * len(cols)
    return sparse.csr_matrix(
        (np.tile(values.astype(np.float64), n_rows), np.tile(cols, n_rows), indptr), shape=(n_rows, n_cols)
    )


def _top_k_rows(
    scores: sparse.csr_matrix,
    bought: sparse.csr_matrix | None,
    allowed: np.ndarray,
    tie: np.ndarray,
    k: int,
    best_sellers: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` item codes and scores per row of a sparse score matrix (-1 where none left).

    Rows are padded into a small dense array (customers × their candidates, not × catalogue;
    × catalogue when that is small) and cut with argpartition. Rows with fewer than ``k``
    candidates are filled with the best sellers (score 0) that the customer has not bought.
    """
    n_rows, n_items = scores.shape
    if n_rows * n_items <= _BLOCK_CELLS:
        # Few customers × products (a batch of a small catalogue): a dense table is cheaper
        # than the sparse bookkeeping, with the candidates in the same (product) order.
        dense = scores.toarray()  # duplicates summed
        if bought is not None:
            dense[bought.nonzero()] = 0.0  # already-bought products are no candidates
        valid = allowed & (dense > 0)
        counts = np.count_nonzero(valid, axis=1)
        padded = np.where(valid, dense.astype(np.float64) + 1e-9 * tie, -np.inf)
        padded_items = np.broadcast_to(np.arange(n_items), padded.shape)
    else:
        scores = scores.tocsr(copy=True)
        scores.sum_duplicates()
        if bought is not None:
            # Zero the scores of already-bought products (an element-wise sparse product).
            scores = (scores - scores.multiply(bought)).tocsr()
            scores.sum_duplicates()
        row_of = np.repeat(np.arange(n_rows), np.diff(scores.indptr))
        valid = allowed[scores.indices] & (scores.data > 0)
        rows = row_of[valid]
        cols = scores.indices[valid]
        values = scores.data[valid].astype(np.float64) + 1e-9 * tie[cols]
        counts = np.bincount(rows, minlength=n_rows)
        width = max(int(counts.max(initial=0)), k)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.arange(len(rows)) - starts[rows]
        padded = np.full((n_rows, width), -np.inf)
        padded_items = np.full((n_rows, width), -1, dtype=np.int64)
        padded[rows, slot] = values
        padded_items[rows, slot] = cols
    part = np.argpartition(-padded, k - 1, axis=1)[:, :k]
    top_values = np.take_along_axis(padded, part, axis=1)
    order = np.argsort(-top_values, axis=1, kind="stable")
    part = np.take_along_axis(part, order, axis=1)
    top_values = np.take_along_axis(top_values, order, axis=1)
    top_items = np.take_along_axis(padded_items, part, axis=1)
    top_values = np.round(top_values, 6)

    short = np.flatnonzero(counts < k)
    if len(short):
        candidates = best_sellers[allowed[best_sellers]]
        for r in short:
            have = set(top_items[r, : counts[r]].tolist())
            if bought is not None:
                have |= set(bought.indices[bought.indptr[r]:bought.indptr[r + 1]].tolist())
            fill = [c for c in candidates[: k + len(have)] if c not in have][: k - counts[r]]
            top_items[r, counts[r]:counts[r] + len(fill)] = fill
            top_items[r, counts[r] + len(fill):] = -1
            top_values[r, counts[r]:] = 0.0
    return top_items, top_values


# --------------------------------------------------------------------------------------------
# The three recommenders
# --------------------------------------------------------------------------------------------


class PopularityRecommender(_BaseRecommender):
    """Recommend the shop's best sellers (the same list for everyone, minus what they bought).

    Parameters
    ----------
    customer, item : str
        Columns of the purchase history holding the customer id and the product id.

    Attributes
    ----------
    items_ : ndarray
        The products of the fitted history.
    item_counts_ : ndarray
        Number of distinct customers who bought each product.

    Examples
    --------
    >>> purchases = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
    ...                           "product_id": ["x", "y", "x", "z"]})
    >>> model = PopularityRecommender().fit(purchases)
    >>> model.recommend(["b"], k=2)["item"].tolist()
    ['y', 'z']
    >>> model.summary()["value"].tolist()
    [3, 3, 4]
    """

    def __init__(self, customer: str = "customer_id", item: str = "product_id") -> None:
        self.customer = customer
        self.item = item

    def fit(self, purchases: pd.DataFrame) -> PopularityRecommender:
        """Count the distinct buyers of each product."""
        frame = _check_history(purchases, [self.customer, self.item])
        self._fit_codes(frame)
        return self

    def _scores(self, rows: np.ndarray, depth: int, allowed: np.ndarray) -> sparse.csr_matrix:
        # Only the best sellers can make a customer's top k: score those, with their buyer share.
        top = self._top_sellers(depth, allowed)
        share = self.item_counts_[top] / max(len(self.customers_), 1)
        return _same_row_for_all(len(rows), top, share, len(self.items_))


class RuleBasedRecommender(_BaseRecommender):
    """The business rule: the best sellers of the customer's favourite category.

    The favourite category is the one the customer bought most products in (ties: the
    category with more sales overall). Its best sellers come first; when the customer has
    already bought them all, the shop's best sellers fill the list.

    A product's category is the first one its rows give. The category is never expanded into a
    dense customer × category table (the counts stay sparse), so a category with thousands of
    levels is fine: each level only ranks its own products.

    Parameters
    ----------
    customer, item, category : str
        Columns of the purchase history: customer id, product id, product category.

    Examples
    --------
    >>> purchases = pd.DataFrame({"customer_id": ["a", "b", "b", "c", "c"],
    ...                           "product_id": ["x", "x", "y", "z", "w"],
    ...                           "category": ["A", "A", "A", "B", "B"]})
    >>> RuleBasedRecommender().fit(purchases).recommend(["a"], k=2)["item"].tolist()
    ['y', 'w']
    """

    def __init__(self, customer: str = "customer_id", item: str = "product_id",
                 category: str = "category") -> None:
        self.customer = customer
        self.item = item
        self.category = category

    def fit(self, purchases: pd.DataFrame) -> RuleBasedRecommender:
        """Find each product's category and each customer's favourite category."""
        frame = _check_history(purchases, [self.customer, self.item, self.category])
        self._fit_codes(frame)
        pairs = frame[[self.item, self.category]].drop_duplicates(self.item)
        categories = pd.Categorical(pairs[self.category].astype(str))
        codes = pd.Index(self.items_).get_indexer(_ids(pairs[self.item], self.item))  # ids as text, as items_
        item_category = np.empty(len(self.items_), dtype=np.int64)
        item_category[codes] = categories.codes
        self.categories_ = np.asarray(categories.categories)
        self.item_category_ = item_category
        onehot = sparse.csr_matrix(
            (np.ones(len(item_category)), (np.arange(len(item_category)), item_category)),
            shape=(len(item_category), len(self.categories_)),
        )
        per_customer = (self.history_ @ onehot).tocsr()
        per_customer.sum_duplicates()
        category_sales = np.asarray(per_customer.sum(axis=0)).ravel()
        # Ties between categories go to the one with more sales overall (a tiny bonus, sparse).
        bonus = 1e-6 * category_sales / category_sales.sum()
        per_customer.data = per_customer.data + bonus[per_customer.indices]
        self.favourite_category_ = np.asarray(per_customer.argmax(axis=1)).ravel()
        return self

    def _summary_values(self) -> dict:
        return super()._summary_values() | {"categories": len(self.categories_)}

    def _scores(self, rows: np.ndarray, depth: int, allowed: np.ndarray) -> sparse.csr_matrix:
        # The favourite category's best sellers score 1 + their popularity (below 1), so they
        # come first; the shop's best sellers score their popularity and fill the list.
        share = self.item_counts_ / (self.item_counts_.max() + 1.0)
        entries_row, entries_col = [], []
        for code in range(len(self.categories_)):
            in_category = allowed & (self.item_category_ == code)
            top = self.best_sellers_[in_category[self.best_sellers_]][:depth]
            entries_row.append(np.full(len(top), code))
            entries_col.append(top)
        cols = np.concatenate(entries_col)
        by_category = sparse.csr_matrix(
            (1.0 + share[cols], (np.concatenate(entries_row), cols)),
            shape=(len(self.categories_), len(self.items_)),
        )
        top = self._top_sellers(depth, allowed)
        overall = _same_row_for_all(len(rows), top, share[top], len(self.items_))
        favourite = by_category[self.favourite_category_[rows]]
        # A favourite best seller that is also a shop best seller gets its share twice: the
        # order among the favourites is kept, since both lists follow the same sales ranking.
        return (favourite + overall).tocsr()


class ItemKNNRecommender(_BaseRecommender):
    """Item-to-item collaborative filtering: "customers who bought this also bought".

    Two products are similar when the same customers bought both. With ``n_i`` the buyers of
    product i and ``c_ij`` the customers who bought both, the similarity is the cosine
    ``c_ij / (sqrt(n_i * n_j) + shrinkage)``; only the ``n_neighbours`` most similar products of
    each product are kept. A customer's score for a product is the sum of its similarities to
    the products they bought. Everything is sparse: the customer × product purchase matrix, the
    co-occurrences (computed by sparse products, a block of products at a time) and the scores;
    only a small history whose co-occurrences fill most of the product × product table (a few
    thousand products, as in MovieLens) has them computed as dense blocks, faster and with the
    same result to the last bit.

    Parameters
    ----------
    customer, item : str
        Columns of the purchase history holding the customer id and the product id.
    n_neighbours : int, default 50
        Neighbours kept per product.
    shrinkage : float, default 5.0
        Added to the cosine's denominator: pairs seen together only once or twice count less.
    block_size : int, default 4096
        Products whose co-occurrences are computed at once (memory versus speed).

    Attributes
    ----------
    similarity_ : scipy.sparse.csr_matrix
        Products × products: column i holds the kept neighbours of product i
        (``similarity_[j, i]`` is the similarity of neighbour j to i, 0 if j is not kept).

    Examples
    --------
    >>> purchases = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"],
    ...                           "product_id": ["tent", "stove", "tent", "stove", "tent"]})
    >>> ItemKNNRecommender().fit(purchases).recommend(["c"], k=1)["item"].tolist()
    ['stove']
    """

    def __init__(self, customer: str = "customer_id", item: str = "product_id", *,
                 n_neighbours: int = 50, shrinkage: float = 5.0, block_size: int = 4096) -> None:
        self.customer = customer
        self.item = item
        self.n_neighbours = n_neighbours
        self.shrinkage = shrinkage
        self.block_size = block_size

    def fit(self, purchases: pd.DataFrame) -> ItemKNNRecommender:
        """Compute the sparse item-item similarities from the purchase history."""
        n_neighbours = check_positive_int(self.n_neighbours, "n_neighbours")
        block_size = check_positive_int(self.block_size, "block_size")
        shrinkage = self.shrinkage
        if isinstance(shrinkage, bool) or not isinstance(shrinkage, int | float | np.number) \
                or not np.isfinite(shrinkage) or shrinkage < 0:
            raise DataError(f"shrinkage must be a number >= 0, such as 5.0; got {shrinkage!r}.")
        frame = _check_history(purchases, [self.customer, self.item])
        self._fit_codes(frame)
        history = self.history_
        norm = np.sqrt(self.item_counts_.astype(np.float64))
        n_items = history.shape[1]
        per_customer = np.diff(history.indptr).astype(np.float64)
        # The sparse product does about sum(n_c ** 2) additions (n_c: products of customer c); a
        # dense one (BLAS) does 2 * customers * products ** 2 but several hundred times faster
        # each. Dense wins when the co-occurrences fill most of the table (a few thousand
        # products bought by many customers each, as in MovieLens) and the table is small.
        dense_operations = 2.0 * history.shape[0] * n_items ** 2
        dense = (history.shape[0] * n_items <= _DENSE_CELLS
                 and dense_operations <= _DENSE_SPEEDUP * float(per_customer @ per_customer))
        neighbours = _dense_neighbours if dense else _sparse_neighbours
        blocks = neighbours(history, norm, shrinkage, n_neighbours, block_size)
        rows = np.concatenate([b[0] for b in blocks]) if blocks else np.empty(0, dtype=np.int64)
        cols = np.concatenate([b[1] for b in blocks]) if blocks else np.empty(0, dtype=np.int64)
        values = np.concatenate([b[2] for b in blocks]) if blocks else np.empty(0)
        self.similarity_ = sparse.csr_matrix(
            (values.astype(np.float32), (rows, cols)), shape=(n_items, n_items)
        )
        return self

    def _scores(self, rows: np.ndarray, depth: int, allowed: np.ndarray) -> sparse.csr_matrix:
        return self.history_[rows] @ self.similarity_

    def _summary_values(self) -> dict:
        return super()._summary_values() | {"similarities kept": int(self.similarity_.nnz)}

    def similar_items(self, item: object, k: int = 5) -> pd.DataFrame:
        """The ``k`` products most similar to ``item`` ("customers who bought this also bought").

        Examples
        --------
        >>> purchases = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"],
        ...                           "product_id": ["tent", "stove", "tent", "stove", "book"]})
        >>> ItemKNNRecommender().fit(purchases).similar_items("tent", k=1)["item"].tolist()
        ['stove']
        """
        self._check_fitted()
        k = _check_k(k)
        code = pd.Index(self.items_).get_indexer(_ids([item], "item"))[0]
        if code < 0:
            raise DataError(f"product {item!r} is not in the fitted history; it has no neighbours yet.")
        column = self.similarity_[:, code].tocoo()
        order = np.lexsort((column.row, -column.data))[:k]
        return pd.DataFrame({"item": self.items_[column.row[order]],
                             "similarity": column.data[order].astype(float).round(6)})


class ScoreTableRecommender(_BaseRecommender):
    """Recommend from a given table of scores (customers × products), for example a planted truth.

    ``fit`` only learns who bought what (to exclude it); the ranking comes from ``scores``.
    Use it to see how far a model is from the best possible ranking, or to plug in scores
    computed elsewhere. Products of the history missing from ``scores`` score 0; customers of
    the history missing from ``scores`` get the best sellers. Ids of the table are compared as
    text, like those of the history.

    Parameters
    ----------
    scores : DataFrame
        One row per customer (index: customer id), one column per product, higher = better;
        scores are 0 or more (0 = never recommended before the best sellers), finite numbers;
        a missing score counts as 0.
    customer, item : str
        Columns of the purchase history holding the customer id and the product id.

    Examples
    --------
    >>> scores = pd.DataFrame({"x": [0.9, 0.1], "y": [0.5, 0.8]}, index=["a", "b"])
    >>> purchases = pd.DataFrame({"customer_id": ["a", "b"], "product_id": ["x", "x"]})
    >>> ScoreTableRecommender(scores).fit(purchases).recommend(k=1)["item"].tolist()
    ['y', 'y']
    """

    def __init__(self, scores: pd.DataFrame, customer: str = "customer_id", item: str = "product_id") -> None:
        self.scores = scores
        self.customer = customer
        self.item = item

    def fit(self, purchases: pd.DataFrame) -> ScoreTableRecommender:
        """Learn who bought what; align the score table on the history's customers and products."""
        table = check_frame(self.scores, name="scores")
        check_numeric(table, list(table.columns), non_negative=True, what="scores")
        table = table.set_axis(_unique_ids(table.index, "customer id of scores"), axis=0)
        table = table.set_axis(_unique_ids(table.columns, "product column of scores"), axis=1)
        frame = _check_history(purchases, [self.customer, self.item])
        self._fit_codes(frame)
        # Products only in the score table can be recommended too: add them to the catalogue.
        extra = pd.Index(table.columns).difference(pd.Index(self.items_))
        if len(extra):
            self.items_ = np.concatenate([self.items_, np.asarray(extra, dtype=object)])
            self.history_.resize((self.history_.shape[0], len(self.items_)))
            self.item_counts_ = np.concatenate([self.item_counts_, np.zeros(len(extra))])
            self.best_sellers_ = np.lexsort((np.arange(len(self.items_)), -self.item_counts_))
        aligned = table.reindex(index=self.customers_, columns=self.items_).fillna(0.0)
        self._table = aligned.to_numpy(dtype=np.float64)
        return self

    def _scores(self, rows: np.ndarray, depth: int, allowed: np.ndarray) -> sparse.csr_matrix:
        return sparse.csr_matrix(self._table[rows])


def _unique_ids(labels: pd.Index, what: str) -> pd.Index:
    """Labels of a score table as normalised text ids; two labels that are one id are refused."""
    ids = _ids(pd.Series(list(labels), dtype=object), what)
    twice = ids.duplicated(keep=False)
    if twice.any():
        same = [labels[i] for i in np.flatnonzero(twice.to_numpy())[:2]]
        raise DataError(
            f"the {what} {same[0]!r} and {same[1]!r} are the same id once written as text; keep one "
            "row (or column) per customer (or product)."
        )
    return pd.Index(ids.to_numpy(dtype=object))


# The dense co-occurrences are used for histories of at most this many customers × products
# cells (a float32 table of 64 MB), computed this many cells at a time, and only when the dense
# product needs at most _DENSE_SPEEDUP times the sparse product's operations (measured with
# OpenBLAS on MovieLens: a dense operation is about 300 times cheaper than a sparse one).
_DENSE_CELLS = 1 << 24
_BLOCK_CELLS = 1 << 22
_DENSE_SPEEDUP = 400.0

_Neighbours = list[tuple[np.ndarray, np.ndarray, np.ndarray]]


def _sparse_neighbours(history: sparse.csr_matrix, norm: np.ndarray, shrinkage: float, n: int,
                       block_size: int) -> _Neighbours:
    """The kept (neighbour, product, similarity) triples, a block of products at a time, sparse."""
    x = history.tocsc()
    n_items = x.shape[1]
    blocks = []
    for start in range(0, n_items, block_size):
        stop = min(start + block_size, n_items)
        # Block × products: row i holds the customers who bought both i and each product. The
        # co-occurrences are symmetric, so these rows are the block's columns, already grouped
        # per product (a block of rows of x.T @ x, no conversion of the result).
        co = (x[:, start:stop].T @ x).tocsr()
        targets = np.repeat(np.arange(start, stop), np.diff(co.indptr))
        neighbours = co.indices
        values = co.data / (norm[neighbours] * norm[targets] + shrinkage)
        values[neighbours == targets] = 0.0  # a product is not its own neighbour; 0 = never kept
        keep = _top_per_group(targets - start, neighbours, values, stop - start, n)
        blocks.append((neighbours[keep], targets[keep], values[keep]))
    return blocks


def _dense_neighbours(history: sparse.csr_matrix, norm: np.ndarray, shrinkage: float, n: int,
                      block_size: int) -> _Neighbours:
    """The same triples as :func:`_sparse_neighbours`, from dense blocks of co-occurrences.

    The counts are whole numbers below 2 ** 24, exact in float32 whatever the order of the sums,
    so the similarities are the sparse path's to the last bit.
    """
    x = history.toarray()
    n_items = x.shape[1]
    step = max(1, min(block_size, _BLOCK_CELLS // max(n_items, 1)))
    blocks = []
    for start in range(0, n_items, step):
        stop = min(start + step, n_items)
        co = x[:, start:stop].T @ x  # block × products
        denominator = np.multiply.outer(norm[start:stop], norm)
        denominator += shrinkage
        values = np.divide(co, denominator, out=denominator)  # 0 where never bought together
        values[np.arange(stop - start), np.arange(start, stop)] = 0.0
        keep = _top_per_row(values, n)
        targets, neighbours = np.nonzero(keep)
        blocks.append((neighbours, targets + start, values[targets, neighbours]))
    return blocks


def _top_per_row(values: np.ndarray, n: int) -> np.ndarray:
    """Which cells are among the ``n`` largest positive values of their row (ties: lower column).

    Examples
    --------
    >>> _top_per_row(np.array([[0.2, 0.5, 0.2, 0.0], [0.0, 0.0, 0.1, 0.0]]), 2).astype(int).tolist()
    [[1, 1, 0, 0], [0, 0, 1, 0]]
    """
    width = values.shape[1]
    if width <= n:
        return values > 0
    threshold = np.partition(values, width - n, axis=1)[:, width - n]  # the n-th largest
    keep = values > threshold[:, None]
    # A row whose n-th value is 0 has fewer than n candidates, all kept already; elsewhere the
    # cells equal to the n-th value fill the places left, lower columns first.
    room = n - np.count_nonzero(keep, axis=1)
    row, col = np.nonzero((values == threshold[:, None]) & (threshold > 0)[:, None])  # row by row
    rank = np.arange(len(row)) - np.searchsorted(row, row)
    chosen = rank < room[row]
    keep[row[chosen], col[chosen]] = True
    return keep


def _top_per_group(group: np.ndarray, key: np.ndarray, values: np.ndarray, n_groups: int, n: int,
                   budget: int = 1 << 22) -> np.ndarray:
    """Which entries are among the ``n`` largest positive values of their group (ties: lower key).

    ``group`` holds codes ``0 .. n_groups - 1`` with each group's entries contiguous and groups in
    ascending order; ``key`` is distinct within a group. Sorting every entry (millions of
    co-occurrences) would cost far more than the rest of the fit: instead each group with more
    than ``n`` entries gets its ``n``-th largest value by a partition of a padded array (at most
    ``budget`` cells at a time); the entries above it are kept, and of those equal to it (usually
    a handful) the lower keys fill the remaining places.

    Examples
    --------
    >>> _top_per_group(np.array([0, 0, 0, 1]), np.array([5, 3, 4, 0]), np.array([0.2, 0.5, 0.2, 0.1]),
    ...                2, 2).tolist()
    [False, True, True, True]
    """
    counts = np.bincount(group, minlength=n_groups)
    threshold = np.zeros(n_groups)  # a value must be above it (0: every candidate of the group)
    heavy = np.flatnonzero(counts > n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    heavy = heavy[np.argsort(-counts[heavy], kind="stable")]  # widest first: a chunk fits its first
    first = 0
    while first < len(heavy):
        width = int(counts[heavy[first]])
        chunk = heavy[first:first + max(1, budget // width)]
        first += len(chunk)
        lengths = counts[chunk]
        slot_row = np.repeat(np.arange(len(chunk)), lengths)
        slot = np.arange(len(slot_row)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        padded = np.full((len(chunk), width), -np.inf)
        padded[slot_row, slot] = values[np.repeat(starts[chunk], lengths) + slot]
        threshold[chunk] = np.partition(padded, width - n, axis=1)[:, width - n]
    limit = threshold[group]
    keep = values > limit
    room = n - np.bincount(group[keep], minlength=n_groups)
    tied = np.flatnonzero((values == limit) & (limit > 0))
    if len(tied):
        tied = tied[np.lexsort((key[tied], group[tied]))]
        tied_group = group[tied]
        rank = np.arange(len(tied)) - np.searchsorted(tied_group, tied_group)
        keep[tied[rank < room[tied_group]]] = True
    return keep


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def long_tail(purchases: pd.DataFrame, item: str = "product_id", *, head_share: float = 0.5,
              catalogue: object = None) -> pd.DataFrame:
    """Sales per product, best sellers first, and whether each product is in the long tail.

    The *head* is the smallest set of best sellers that makes ``head_share`` of all order
    lines; every other product, including the catalogue's products never sold, is the *tail*.

    Parameters
    ----------
    purchases : DataFrame, or a Polars, DuckDB or Spark frame, or Parquet files
        One row per order line (an engine's frame is counted in its engine).
    item : str, default "product_id"
        Product id column.
    head_share : float, default 0.5
        Share of sales that defines the head.
    catalogue : list-like, optional
        Every product id of the catalogue, so that products never sold count (with 0 sales).
        Ids are compared as text (``7`` and ``"7"`` are one product).

    Returns
    -------
    pandas.DataFrame
        ``item`` (text), ``sales``, ``share of sales``, ``cumulative share`` and ``long tail`` (bool).

    Examples
    --------
    >>> purchases = pd.DataFrame({"product_id": ["a"] * 6 + ["b"] * 2 + ["c", "d"]})
    >>> long_tail(purchases, catalogue=["a", "b", "c", "d", "e"])["long tail"].tolist()
    [False, True, True, True, True]
    """
    engine = engine_frame(purchases, name="purchases")
    frame = _check_history(purchases, [item]) if engine is None else None
    if isinstance(head_share, bool) or not isinstance(head_share, int | float) or not 0 < head_share < 1:
        raise DataError(f"head_share must be between 0 and 1 (for example 0.5); got {head_share!r}.")
    if engine is not None:  # Polars, DuckDB, Spark, Parquet: counted there
        sales = item_counts(engine, item)
    else:
        codes, distinct = _encode_ids(frame[item], item)
        sales = pd.Series(np.bincount(codes, minlength=len(distinct)), index=pd.Index(distinct))
    if catalogue is not None:
        extra = pd.Index(_ids(catalogue, "catalogue").drop_duplicates()).difference(sales.index)
        sales = pd.concat([sales, pd.Series(0, index=extra, dtype=sales.dtype)])
    table = pd.DataFrame({"item": sales.index.to_numpy(dtype=object), "sales": sales.to_numpy()})
    table = table.sort_values(["sales", "item"], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)
    table["share of sales"] = table["sales"] / table["sales"].sum()
    table["cumulative share"] = table["share of sales"].cumsum()
    before = table["cumulative share"] - table["share of sales"]
    table["long tail"] = before >= head_share - 1e-12
    return table


def recommendation_metrics(recommendations: pd.DataFrame, test: pd.DataFrame, *, k: int | None = None,
                           customer: str = "customer_id", item: str = "product_id",
                           catalogue_size: int | None = None,
                           tail_items: object = None) -> pd.DataFrame:
    """Hit rate, precision and recall at k, coverage and long-tail share of a set of recommendations.

    Parameters
    ----------
    recommendations : DataFrame
        As returned by ``recommend``: ``customer``, ``rank``, ``item``.
    test : DataFrame
        What the customers bought afterwards (columns ``customer`` and ``item``). Only the
        customers in ``test`` are scored; a customer without recommendations counts as a miss.
    k : int, optional
        Keep the first ``k`` ranks (default: every row given).
    catalogue_size : int, optional
        Products that could be recommended, for the coverage (default: products in ``test``
        and ``recommendations``).
    tail_items : list-like, optional
        The long-tail products (see :func:`long_tail`), for the long-tail share.

    Ids of both tables are compared as text (``7`` and ``"7"`` are one customer).

    Returns
    -------
    pandas.DataFrame
        One row, columns ``customers``; ``hit rate``: share of customers with at least one
        recommended product bought; ``precision``: share of recommended slots that were bought
        (hits / (k × customers)); ``recall``: mean over customers of the share of their bought
        products that were recommended; ``coverage``: distinct products recommended / catalogue
        size; ``long tail share``: share of recommended slots in the tail (NaN without
        ``tail_items``).

    Examples
    --------
    >>> recs = pd.DataFrame({"customer": ["a", "a", "b", "b"], "rank": [1, 2, 1, 2],
    ...                      "item": ["x", "y", "x", "z"]})
    >>> test = pd.DataFrame({"customer_id": ["a", "b", "b"], "product_id": ["y", "w", "v"]})
    >>> m = recommendation_metrics(recs, test, k=2, catalogue_size=10)
    >>> m[["hit rate", "precision", "recall", "coverage"]].iloc[0].tolist()
    [0.5, 0.25, 0.5, 0.3]
    """
    check_frame(recommendations, name="recommendations", min_rows=0)
    check_columns(recommendations, ["customer", "rank", "item"], role="recommendation column")
    truth = _check_history(test, [customer, item], name="test")
    truth = pd.DataFrame({customer: _ids(truth[customer], customer).to_numpy(),
                          item: _ids(truth[item], item).to_numpy()}).drop_duplicates()
    recs = _check_history(recommendations, ["customer", "rank", "item"], name="recommendations") \
        if len(recommendations) else recommendations
    check_numeric(recs, ["rank"], non_negative=True, what="ranks")
    recs = pd.DataFrame({"customer": _ids(recs["customer"], "customer").to_numpy(),
                         "rank": recs["rank"].to_numpy(),
                         "item": _ids(recs["item"], "item").to_numpy()}) if len(recs) else recs
    if k is not None:
        k = _check_k(k)
        recs = recs[recs["rank"] <= k]
    else:
        k = int(recs["rank"].max()) if len(recs) else 1
    customers = truth[customer].unique()
    recs = recs[recs["customer"].isin(customers)]
    hits = recs.merge(truth, left_on=["customer", "item"], right_on=[customer, item], how="inner")
    hits_per_customer = hits.groupby("customer").size()
    bought_per_customer = truth.groupby(customer).size()
    n = len(customers)
    recall = (hits_per_customer.reindex(bought_per_customer.index, fill_value=0) / bought_per_customer).mean()
    size = catalogue_size if catalogue_size is not None else len(
        pd.Index(truth[item]).union(pd.Index(recs["item"])))
    tail_share = float("nan")
    if tail_items is not None:
        tail = _ids(tail_items, "tail_items")
        tail_share = float(recs["item"].isin(tail).mean()) if len(recs) else 0.0
    return pd.DataFrame({
        "customers": [n],
        "hit rate": [float(len(hits_per_customer) / n)],
        "precision": [float(len(hits) / (k * n))],
        "recall": [float(recall)],
        "coverage": [float(recs["item"].nunique() / size) if size else 0.0],
        "long tail share": [tail_share],
    })


def evaluate_recommender(
    purchases: pd.DataFrame,
    recommenders: Mapping[str, object],
    cut: object,
    *,
    customer: str = "customer_id",
    item: str = "product_id",
    date: str = "date",
    k: int = 10,
    horizon_days: int | None = None,
    head_share: float = 0.5,
) -> pd.DataFrame:
    """Compare recommenders honestly: fit on the purchases before ``cut``, score on those after.

    The split is made here, so that no purchase on or after ``cut`` can reach a recommender's
    ``fit``: each recommender is copied and fitted on the earlier purchases only. The test set
    is what each customer known before the cut bought **for the first time** in the test window
    (a product bought again is not a discovery, and the recommenders exclude what was bought).

    Parameters
    ----------
    purchases : DataFrame
        The whole history, one row per order line.
    recommenders : dict
        Name → unfitted recommender (any object with ``fit(purchases)`` and
        ``recommend(customers, k)``); each is copied with ``sklearn.base.clone`` and the copy
        is fitted, never the caller's object.
    cut : date-like
        First day of the test period (``"2024-11-01"``, or ``"01/11/2024"`` read day first).
    customer, item, date : str
        Columns of ``purchases``.
    k : int, default 10
        Products recommended per customer.
    horizon_days : int, optional
        Length of the test window in days (default: everything after the cut).
    head_share : float, default 0.5
        Share of training sales that makes the head of the catalogue (see :func:`long_tail`).

    Returns
    -------
    pandas.DataFrame
        One row per recommender: ``customers`` tested, ``hit rate``, ``precision``, ``recall``,
        ``coverage`` (of the products sold before the cut) and ``long tail share``.

    Examples
    --------
    >>> purchases = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c", "c"],
    ...     "product_id": ["tent", "stove", "tent", "stove", "tent", "stove"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04",
    ...                             "2024-01-05", "2024-02-01"])})
    >>> table = evaluate_recommender(purchases, {"knn": ItemKNNRecommender()}, "2024-01-15", k=1)
    >>> float(table.loc["knn", "hit rate"])
    1.0
    """
    frame = _normalised_history(purchases, customer, item, date)
    if not isinstance(recommenders, Mapping) or not recommenders:
        raise DataError("recommenders must be a dict {name: recommender} with at least one entry.")
    k = _check_k(k)
    cut, before, after = _split_at(frame, date, cut, horizon_days)
    # Only the rows before the cut are copied into the training table: nothing later can leak.
    train = frame.loc[before].copy()
    test = frame.loc[after, [customer, item]]
    if train.empty or test.empty:
        raise DataError(
            f"the cut {cut.date()} leaves {len(train)} purchase(s) before it and {len(test)} in the "
            "test window; choose a cut inside the history."
        )
    seen = pd.MultiIndex.from_frame(train[[customer, item]])
    test = test[~pd.MultiIndex.from_frame(test).isin(seen)]
    test = test[test[customer].isin(train[customer])]
    if test.empty:
        raise DataError("no customer known before the cut bought a new product in the test window.")
    tail = long_tail(train, item, head_share=head_share)
    tail_items = tail.loc[tail["long tail"], "item"]
    rows = []
    for recommender in recommenders.values():
        model = clone(recommender, safe=False)
        model.fit(train)
        recs = model.recommend(test[customer].unique(), k=k)
        rows.append(recommendation_metrics(
            recs, test, k=k, customer=customer, item=item,
            catalogue_size=len(tail), tail_items=tail_items,
        ))
    table = pd.concat(rows, ignore_index=True)
    table.index = pd.Index(list(recommenders), name="recommender")
    return table


def _normalised_history(purchases: object, customer: str, item: str, date: str) -> pd.DataFrame:
    """The history with its ids as normalised text (the caller's table is left alone)."""
    frame = _check_history(purchases, [customer, item, date])
    return frame.assign(**{customer: _ids(frame[customer], customer), item: _ids(frame[item], item)})


def _split_at(frame: pd.DataFrame, date: str, cut: object,
              horizon_days: int | None) -> tuple[pd.Timestamp, np.ndarray, np.ndarray]:
    """The cut as a timestamp, and the masks of the rows before it and in the test window."""
    dates = read_dates(frame[date], column=date)
    cut = read_date(cut, "cut")
    if horizon_days is not None:
        horizon_days = check_positive_int(horizon_days, "horizon_days")
    after = dates >= cut
    if horizon_days is not None:
        after &= dates < cut + pd.Timedelta(days=int(horizon_days))
    return cut, (dates < cut).to_numpy(), after.to_numpy()


def purchase_probability(
    recommender: object,
    purchases: pd.DataFrame,
    cut: object,
    *,
    horizon_days: int,
    items: object = None,
    customer: str = "customer_id",
    item: str = "product_id",
    date: str = "date",
    depth: int = 100,
) -> pd.DataFrame:
    """Turn a recommender's scores into the probability that a customer buys a product soon.

    Scores only rank; a next-best-offer engine needs probabilities. This back-tests the
    recommender: a copy is fitted on the purchases before ``cut``, each customer's ``depth`` best
    products are scored, and an isotonic regression (scikit-learn) learns the share of
    (customer, product) pairs bought in the ``horizon_days`` after the cut, as a non-decreasing
    function of the score. Then a copy is refitted on the whole history and every customer ×
    product of ``items`` gets its score and its probability of being bought in the next
    ``horizon_days`` (products already bought are left out).

    Parameters
    ----------
    recommender : unfitted recommender
        For example ``ItemKNNRecommender()``.
    purchases : DataFrame
        The whole history, one row per order line.
    cut : date-like
        Start of the back-test window; it must leave ``horizon_days`` of history after it.
        Text is read like every date of the kit: ``"03/12/2024"`` is 3 December.
    horizon_days : int
        The window the probability is about (for example the 28 days an offer lasts).
    items : list-like, optional
        Products to score at the end (default every product of the history).
    customer, item, date : str
        Columns of ``purchases``.
    depth : int, default 100
        Products per customer used to learn the calibration.

    Returns
    -------
    pandas.DataFrame
        ``customer``, ``item``, ``score`` and ``probability``.

    Examples
    --------
    >>> purchases = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c", "c", "d"],
    ...     "product_id": ["tent", "stove", "tent", "stove", "tent", "stove", "tent"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04",
    ...                             "2024-01-05", "2024-02-01", "2024-01-06"])})
    >>> table = purchase_probability(ItemKNNRecommender(), purchases, "2024-01-15", horizon_days=30)
    >>> table.round(2).values.tolist()
    [['d', 'stove', 0.35, 0.5]]
    """
    from sklearn.isotonic import IsotonicRegression

    frame = _normalised_history(purchases, customer, item, date)
    depth = check_positive_int(depth, "depth")
    cut, before, window = _split_at(frame, date, cut, horizon_days)
    train = frame.loc[before]
    if train.empty or not window.any():
        raise DataError(
            f"the cut {cut.date()} leaves {int(before.sum())} purchase(s) before it and "
            f"{int(window.sum())} in the {horizon_days} days after; choose a cut inside the history."
        )
    model = clone(recommender, safe=False).fit(train)
    n_items = len(model.items_)
    backtest = model.recommend(k=min(int(depth), n_items))
    bought = frame.loc[window, [customer, item]].drop_duplicates()
    label = pd.MultiIndex.from_frame(backtest[["customer", "item"]]).isin(pd.MultiIndex.from_frame(bought))
    calibration = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    calibration.fit(backtest["score"].to_numpy(), label.astype(float))

    final = clone(recommender, safe=False).fit(frame)
    n_scored = len(final.items_) if items is None else len(_ids(items, "items").drop_duplicates())
    scored = final.recommend(k=n_scored, items=items)
    scored = scored.drop(columns="rank").sort_values(["customer", "item"]).reset_index(drop=True)
    scored["probability"] = calibration.predict(scored["score"].to_numpy())
    return scored


# --------------------------------------------------------------------------------------------
# Next best offer
# --------------------------------------------------------------------------------------------


@dataclass
class OfferPlan:
    """What :func:`next_best_offer` decided.

    Attributes
    ----------
    assignments : DataFrame
        One row per customer who gets an offer: the customer and offer columns (ids as text),
        ``probability``, ``margin`` and ``expected margin`` (probability × margin − contact cost, or
        the incremental margin when ``without_offer`` or ``discount`` was given).
    by_offer : DataFrame
        Per offer: ``customers`` assigned, ``capacity`` and ``expected margin``.
    expected_margin : float
        Total expected margin of the plan, in the unit of ``margin``.
    """

    assignments: pd.DataFrame
    by_offer: pd.DataFrame
    expected_margin: float

    def summary(self) -> pd.DataFrame:
        """The plan in one labelled table: customers with an offer, offers used, expected margin.

        >>> candidates = pd.DataFrame({"customer_id": ["a", "b"], "product_id": ["x", "x"],
        ...                            "probability": [0.5, 0.3], "margin": [10.0, 10.0]})
        >>> next_best_offer(candidates).summary()["value"].tolist()
        [2.0, 1.0, 8.0]
        """
        return _summary_table({
            "customers with an offer": float(len(self.assignments)),
            "offers used": float((self.by_offer["customers"] > 0).sum()),
            "expected margin": float(self.expected_margin),
        })


def next_best_offer(
    candidates: pd.DataFrame,
    *,
    customer: str = "customer_id",
    offer: str = "product_id",
    probability: str = "probability",
    margin: str = "margin",
    capacity: Mapping[object, float] | pd.Series | float | None = None,
    contact_cost: float = 0.0,
    exclude: pd.DataFrame | None = None,
    method: str = "optimal",
    without_offer: str | None = None,
    discount: str | None = None,
) -> OfferPlan:
    """Choose at most one offer per customer to maximise the expected margin under limits.

    Each candidate (customer, offer) is worth ``probability × margin − contact_cost``. With
    ``without_offer`` and ``discount`` it is worth only what the offer changes (the incremental
    margin): ``probability × (margin − discount) − without_offer × margin − contact_cost``, where
    a purchase that would have happened anyway is no gain and pays the discount. The plan
    gives each customer at most one offer, gives no offer more customers than its ``capacity``
    (stock, or budget divided by the cost of one offer), never proposes a pair listed in
    ``exclude`` (for example a product the customer has just bought) and never proposes a
    candidate worth nothing (expected margin ≤ 0).

    Parameters
    ----------
    candidates : DataFrame
        One row per possible (customer, offer) pair, with its acceptance probability and margin.
    customer, offer, probability, margin : str
        Columns of ``candidates``. ``probability`` must be between 0 and 1; ``margin`` finite
        numbers (a negative margin is allowed: that candidate is never chosen). Ids are compared
        as text (``7`` and ``"7"`` are one customer).
    capacity : dict, Series or number, optional
        Maximum customers per offer (one number for every offer); default no limit. An offer
        missing from the dict has no limit.
    contact_cost : float, default 0
        Cost of making one offer (same unit as ``margin``), 0 or more.
    exclude : DataFrame, optional
        Pairs that must not be offered, with the same ``customer`` and ``offer`` columns.
    method : {"optimal", "greedy"}
        "optimal" solves the assignment exactly as a mixed-integer linear programme
        (scipy.optimize.milp); "greedy" takes the candidates by decreasing expected margin while
        the customer is free and the offer has stock (faster, can be slightly worse).
    without_offer : str, optional
        Column of the probability that the customer buys the product anyway, without the offer
        (between 0 and 1). Default: none would (every purchase counted as a gain).
    discount : str, optional
        Column of the discount the offer gives on one unit (same unit as ``margin``), paid on
        every purchase made with the offer. Default: no discount.

    Returns
    -------
    OfferPlan

    Examples
    --------
    >>> candidates = pd.DataFrame({"customer_id": ["a", "a", "b"], "product_id": ["x", "y", "x"],
    ...                            "probability": [0.5, 0.4, 0.3], "margin": [10.0, 10.0, 10.0]})
    >>> plan = next_best_offer(candidates, capacity={"x": 1})
    >>> plan.assignments[["customer_id", "product_id"]].values.tolist(), plan.expected_margin
    ([['a', 'y'], ['b', 'x']], 7.0)

    Counting only what the offer changes: a customer who buys anyway half the time, with a
    1 € discount, is worth 0.8 × (10 − 1) − 0.5 × 10 = 2.2 €.

    >>> incremental = pd.DataFrame({"customer_id": ["a"], "product_id": ["x"], "probability": [0.8],
    ...                             "anyway": [0.5], "margin": [10.0], "discount": [1.0]})
    >>> round(next_best_offer(incremental, without_offer="anyway", discount="discount").expected_margin, 2)
    2.2
    """
    frame = check_frame(candidates, name="candidates")
    extra = [column for column in (without_offer, discount) if column is not None]
    check_columns(frame, [customer, offer, probability, margin, *extra])
    check_numeric(frame, [probability, margin, *extra])
    frame = _check_history(frame, [customer, offer, probability, margin, *extra], name="candidates")
    if isinstance(contact_cost, bool) or not isinstance(contact_cost, int | float | np.number) \
            or not np.isfinite(contact_cost) or contact_cost < 0:
        raise DataError(
            f"contact_cost must be a finite amount of 0 or more, such as 0.05; got {contact_cost!r}."
        )
    table = pd.DataFrame({
        customer: _ids(frame[customer], customer).to_numpy(),
        offer: _ids(frame[offer], offer).to_numpy(),
        probability: frame[probability].to_numpy(dtype=float),
        margin: frame[margin].to_numpy(dtype=float),
    })
    anyway = np.zeros(len(table)) if without_offer is None else frame[without_offer].to_numpy(dtype=float)
    off = np.zeros(len(table)) if discount is None else frame[discount].to_numpy(dtype=float)
    for column, p in ((probability, table[probability]), (without_offer, pd.Series(anyway))):
        if ((p < 0) | (p > 1)).any():
            bad = p[(p < 0) | (p > 1)].iloc[0]
            raise DataError(
                f"column {column!r} must hold probabilities between 0 and 1, but holds {bad!r}. "
                "Divide percentages by 100."
            )
    if (off < 0).any():
        raise DataError(
            f"column {discount!r} must hold discounts of 0 or more (the euros given away), "
            f"but holds {off[off < 0][0]!r}."
        )
    table["value"] = table[probability] * (table[margin] - off) - anyway * table[margin]
    if table.duplicated([customer, offer]).any():
        pair = table.loc[table.duplicated([customer, offer]), [customer, offer]].iloc[0].tolist()
        raise DataError(
            f"the pair {pair} appears twice in candidates; keep one row per (customer, offer), "
            "for example with candidates.drop_duplicates([customer, offer])."
        )
    if method not in ("optimal", "greedy"):
        raise DataError(f"method must be 'optimal' or 'greedy'; got {method!r}.")
    if exclude is not None:
        check_frame(exclude, name="exclude", min_rows=0)
        check_columns(exclude, [customer, offer], role="exclude column")
        if len(exclude):
            _check_history(exclude, [customer, offer], name="exclude")
            banned = pd.MultiIndex.from_arrays(
                [_ids(exclude[customer], customer).to_numpy(), _ids(exclude[offer], offer).to_numpy()]
            ).drop_duplicates()
            table = table[~pd.MultiIndex.from_frame(table[[customer, offer]]).isin(banned)]
    table["expected margin"] = table.pop("value") - float(contact_cost)
    table = table[table["expected margin"] > 0].reset_index(drop=True)

    offers = pd.Index(_ids(frame[offer], offer).drop_duplicates().to_numpy(dtype=object))
    limits = _capacities(capacity, offers)
    plan = table.iloc[:0]
    if len(table):
        offer_code = offers.get_indexer(table[offer])
        customer_code = pd.factorize(table[customer])[0]
        value = table["expected margin"].to_numpy()
        if method == "greedy":
            chosen = _greedy(customer_code, offer_code, value, limits)
        else:
            chosen = _optimal(customer_code, offer_code, value, limits)
        plan = table[chosen].sort_values([customer, offer], kind="stable").reset_index(drop=True)
    plan = plan.rename(columns={probability: "probability", margin: "margin"})
    counts = plan[offer].value_counts().reindex(offers, fill_value=0)
    by_offer = pd.DataFrame(
        {
            "customers": counts.to_numpy(),
            "capacity": limits,
            "expected margin": plan.groupby(offer)["expected margin"].sum().reindex(offers, fill_value=0.0)
            .to_numpy(),
        },
        index=pd.Index(offers, name=offer),
    )
    total = float(plan["expected margin"].sum())
    return OfferPlan(assignments=plan, by_offer=by_offer, expected_margin=total)


def product_table(purchases: pd.DataFrame, item: str = "product_id", *, catalogue: pd.DataFrame | None = None,
                  category: str | None = None, price: str | None = None, margin: str | None = None,
                  unit_price: float | None = None, unit_margin: float | None = None) -> pd.DataFrame:
    """One row per product: its category, price and margin, from the catalogue or the order lines.

    A class's export often has no product list: then each product sold gets the values of its
    last order line in the file (the most recent one in an export sorted by date). A column the
    file does not have (``None``) gets the same assumed
    amount for every product (``unit_price``, ``unit_margin``), or is left out (``category``).

    Parameters
    ----------
    purchases : DataFrame
        One row per order line.
    item : str, default "product_id"
        Product id column, in ``purchases`` and in ``catalogue``.
    catalogue : DataFrame, optional
        One row per product (never-sold products included); used instead of the order lines.
    category, price, margin : str, optional
        Columns holding them (in ``catalogue`` when given, else in ``purchases``); None when the
        file has none.
    unit_price, unit_margin : float, optional
        The amount assumed for every product when ``price`` or ``margin`` is None.

    Returns
    -------
    pandas.DataFrame
        Indexed by the product ids as text (the index name is ``item``), with the columns
        ``category`` (when given), ``price`` and ``margin``.

    Examples
    --------
    >>> lines = pd.DataFrame({"sku": [7, 7, 8], "price": [9.99, 8.99, 20.0]})
    >>> product_table(lines, "sku", price="price", unit_margin=3.0).to_dict("index")
    {'7': {'price': 8.99, 'margin': 3.0}, '8': {'price': 20.0, 'margin': 3.0}}
    """
    source = purchases if catalogue is None else catalogue
    name = "purchases" if catalogue is None else "catalogue"
    columns = {"category": category, "price": price, "margin": margin}
    given = [column for column in columns.values() if column is not None]
    frame = _check_history(source, [item], name=name)
    check_columns(frame, given)
    numbers = [column for column in (price, margin) if column is not None]
    if numbers:
        check_numeric(frame, numbers)
    table = frame[given].copy()
    table.columns = [role for role, column in columns.items() if column is not None]
    table.index = pd.Index(_ids(frame[item], item).to_numpy(), name=item)
    table = table[~table.index.duplicated(keep="last")].sort_index()
    for role, column, assumed in (("price", price, unit_price), ("margin", margin, unit_margin)):
        if column is None:
            if assumed is None or isinstance(assumed, bool) or not np.isfinite(float(assumed)):
                raise DataError(f"there is no {role} column: give unit_{role}, the {role} assumed for every "
                                "product (a number of euros).")
            table[role] = float(assumed)
    return table


def campaign_margin(campaign: pd.DataFrame, with_offer: pd.DataFrame, without_offer: pd.DataFrame,
                    products: pd.DataFrame, *, customer: str = "customer_id", item: str = "product_id",
                    contact_cost: float = 0.0) -> float:
    """The incremental margin of a campaign: only what its offers change, net of discount and contacts.

    Each offer sent is worth ``p with offer × (margin − discount) − p without offer × margin``,
    read from two customers × products tables of probabilities (for example a simulation's
    planted truth, to judge campaigns chosen without it), minus ``contact_cost``.

    Parameters
    ----------
    campaign : DataFrame
        One row per offer sent, with the columns ``customer`` and ``item``.
    with_offer, without_offer : DataFrame
        Customers × products: the probability of buying with and without the offer.
    products : DataFrame
        Indexed by product id (as text), with the columns ``margin`` and, optionally,
        ``discount`` (euros per unit), as :func:`product_table` returns them.
    customer, item : str
        Columns of ``campaign``.
    contact_cost : float, default 0
        Cost of one offer sent.

    Returns
    -------
    float

    Examples
    --------
    >>> table = pd.DataFrame({"x": [0.8]}, index=["a"])
    >>> anyway = pd.DataFrame({"x": [0.5]}, index=["a"])
    >>> products = pd.DataFrame({"margin": [10.0], "discount": [1.0]}, index=["x"])
    >>> sent = pd.DataFrame({"customer_id": ["a"], "product_id": ["x"]})
    >>> round(campaign_margin(sent, table, anyway, products, contact_cost=0.2), 2)
    2.0
    """
    frame = check_frame(campaign, name="campaign", min_rows=0)
    if not len(frame):
        return 0.0
    p_with = pair_values(with_offer, frame, customer=customer, item=item).to_numpy()
    p_without = pair_values(without_offer, frame, customer=customer, item=item).to_numpy()
    values = products.copy()
    values.index = pd.Index(_ids(pd.Series(values.index, dtype=object), "products index").to_numpy())
    sent = _ids(frame[item], item)
    margin = sent.map(values["margin"]).to_numpy(dtype=float)
    discount = sent.map(values["discount"]).to_numpy(dtype=float) if "discount" in values else 0.0
    if np.isnan(margin).any():
        missing = sent[np.isnan(margin)].iloc[0]
        raise DataError(f"product {missing!r} of the campaign has no margin in products.")
    gain = p_with * (margin - discount) - p_without * margin
    return float(gain.sum() - float(contact_cost) * len(frame))


def pair_values(table: pd.DataFrame, pairs: pd.DataFrame, *, customer: str = "customer_id",
                item: str = "product_id") -> pd.Series:
    """Read a customers × products table at the (customer, product) pairs of a plan.

    For example the planted acceptance probability of each offer a campaign sends, or any score
    kept as one row per customer and one column per product.

    Parameters
    ----------
    table : DataFrame
        Customers as the index, products as the columns.
    pairs : DataFrame
        One row per (customer, product), in the columns ``customer`` and ``item``.
    customer, item : str
        Columns of ``pairs``. Ids are compared as text (``7`` and ``"7"`` are one customer).

    Returns
    -------
    pandas.Series
        The value of each pair, with the index of ``pairs``; a pair whose customer or product is
        not in the table raises a DataError naming it.

    Examples
    --------
    >>> table = pd.DataFrame({"x": [0.1, 0.2], "y": [0.3, 0.4]}, index=["a", "b"])
    >>> pairs = pd.DataFrame({"customer_id": ["b", "a"], "product_id": ["x", "y"]})
    >>> pair_values(table, pairs).tolist()
    [0.2, 0.3]
    """
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"table must be a DataFrame of customers × products; got {type(table).__name__}.")
    frame = check_frame(pairs, name="pairs", min_rows=0)
    check_columns(frame, [customer, item])
    if not len(frame):
        return pd.Series([], index=frame.index, dtype=float)
    frame = _check_history(frame, [customer, item], name="pairs")
    rows = pd.Index(_ids(pd.Series(table.index, dtype=object), "table index").to_numpy())
    cols = pd.Index(_ids(pd.Series(table.columns, dtype=object), "table columns").to_numpy())
    row = rows.get_indexer(_ids(frame[customer], customer))
    col = cols.get_indexer(_ids(frame[item], item))
    for codes, column, what in ((row, customer, "customer"), (col, item, "product")):
        if (codes < 0).any():
            missing = frame[column].to_numpy()[codes < 0][0]
            raise DataError(f"{what} {missing!r} of column {column!r} is not in the table.")
    return pd.Series(table.to_numpy()[row, col], index=frame.index, dtype=float)


def _capacities(capacity: object, offers: pd.Index) -> np.ndarray:
    if capacity is None:
        return np.full(len(offers), np.inf)
    if isinstance(capacity, (int, float, np.integer, np.floating)) and not isinstance(capacity, bool):
        values = np.full(len(offers), float(capacity))
    elif isinstance(capacity, (Mapping, pd.Series)):
        series = pd.Series(capacity)
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            raise DataError(
                f"capacity must give a number of customers per offer, got {shown(series.iloc[0])} for "
                f"offer {shown(series.index[0])}. Write numbers, e.g. {{'P0001': 100}}."
            )
        series = pd.Series(series.to_numpy(dtype=float), index=_unique_ids(series.index, "offer of capacity"))
        values = series.reindex(offers).fillna(np.inf).to_numpy()
    else:
        raise DataError("capacity must be a number, a dict {offer: customers} or a Series indexed by offer.")
    if np.isnan(values).any() or (values < 0).any():
        raise DataError("capacity must be 0 or more customers for every offer (np.inf for no limit).")
    return np.floor(values)


def _greedy(customer_code: np.ndarray, offer_code: np.ndarray, value: np.ndarray,
            limits: np.ndarray) -> np.ndarray:
    order = np.lexsort((offer_code, customer_code, -value))
    free = np.ones(customer_code.max() + 1, dtype=bool)
    left = limits.copy()
    chosen = np.zeros(len(value), dtype=bool)
    for i in order:
        c, o = customer_code[i], offer_code[i]
        if free[c] and left[o] >= 1:
            chosen[i] = True
            free[c] = False
            left[o] -= 1
    return chosen


def _optimal(customer_code: np.ndarray, offer_code: np.ndarray, value: np.ndarray,
             limits: np.ndarray) -> np.ndarray:
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(value)
    columns = np.arange(n)
    one_per_customer = sparse.csr_matrix((np.ones(n), (customer_code, columns)),
                                         shape=(customer_code.max() + 1, n))
    constraints = [LinearConstraint(one_per_customer, 0, 1)]
    limited = np.isfinite(limits)
    if limited.any():
        per_offer = sparse.csr_matrix((np.ones(n), (offer_code, columns)), shape=(len(limits), n))
        constraints.append(LinearConstraint(per_offer[limited], 0, limits[limited]))
    result = milp(-value, constraints=constraints, integrality=np.ones(n), bounds=Bounds(0, 1))
    if result.x is None:
        raise DataError(f"the offer assignment could not be solved ({result.message}).")
    return result.x > 0.5


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------


def plot_long_tail(purchases: pd.DataFrame, item: str = "product_id", *, catalogue: object = None,
                   head_share: float = 0.5, ax=None):
    """Concentration curve: cumulative share of sales against the share of the catalogue.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_long_tail(pd.DataFrame({"product_id": list("aaabbc")}))
    """
    table = long_tail(purchases, item, head_share=head_share, catalogue=catalogue)
    ax = new_axes(ax)
    share_of_catalogue = np.arange(1, len(table) + 1) / len(table)
    ax.plot(np.r_[0, share_of_catalogue], np.r_[0, table["cumulative share"]], color="C0")
    head = int((~table["long tail"]).sum())
    ax.axvline(head / len(table), color="C3", linestyle="--")
    ax.text(head / len(table), 0.05, f"  head: {head} products = {head / len(table):.0%} of the catalogue",
            color="C3")
    ax.set_xlabel("share of the catalogue, best sellers first (%)")
    ax.set_ylabel("cumulative share of sales (%)")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("The long tail")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    return ax


def plot_metrics(metrics: pd.DataFrame, columns: Sequence[str] = ("hit rate", "recall", "long tail share"),
                 *, ax=None):
    """Grouped bars of evaluation metrics, one group per metric and one bar per recommender.

    ``metrics`` is the table of :func:`evaluate_recommender`; ``ax=None`` draws on a new figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_metrics(pd.DataFrame({"hit rate": [0.1, 0.3], "recall": [0.05, 0.2],
    ...                                 "long tail share": [0.0, 0.2]}, index=["pop", "knn"]))
    """
    check_frame(metrics, name="metrics")
    check_columns(metrics, list(columns), role="metric")
    check_numeric(metrics, list(columns))
    ax = new_axes(ax)
    metrics[list(columns)].T.plot.bar(ax=ax, rot=0)
    ax.set_ylabel("share (%)")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("Recommenders on the test weeks")
    ax.legend(title=None, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
