"""What customers write: intents, sentiment, topics, and how much a chatbot can answer.

Used by ``03-01-customer-satisfaction.ipynb``. The helpers take plain texts and labels (a
column of your own table, a list), so they work on any export of chat, e-mail or review text.

- :func:`train_text_classifier`: a scikit-learn pipeline for French messages (accents, case,
  French stop words, words and word pairs, character n-grams on request, logistic regression);
- :func:`predict_with_confidence`: the predicted class and how sure the model is;
- :func:`wordlist_sentiment`: the simple baseline, counting positive and negative French words;
- :func:`top_terms` and :func:`find_topics`: the words of each class, and topics found without labels;
- :func:`share_alerts`: the share of (say) negative messages per week, and an alert when it jumps;
- :func:`routing_report` and :func:`routing_threshold`: the chatbot's trade-off between the share of
  messages answered automatically and the errors on those answers;
- :func:`plot_routing`, :func:`plot_share_alerts`: the two figures.

Texts are normalised the same way everywhere (:func:`normalise_texts`): lower case and no accents,
so that "Problème", "probleme" and "PROBLEME" are one word. Labels written yes/no (``Oui``, ``non``,
``Vrai``...; a "needs a person" column) are read with the kit's one yes/no reader, so that ``Oui`` and
``oui `` are one class; dates with its one date reader (ISO, else day first).
"""

from __future__ import annotations

import itertools
import numbers
import re
import unicodedata
import warnings
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from mlmarketing._errors import DataError, DataWarning
from mlmarketing._validation import (
    NO_WORDS,
    YES_WORDS,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
    check_positive_int,
    describe_rows,
    level_label,
    new_axes,
    read_dates,
    read_yes_no,
    shown,
    warn_dropped,
)

__all__ = [
    "LARGE_CORPUS",
    "find_topics",
    "french_stop_words",
    "normalise_texts",
    "plot_routing",
    "plot_share_alerts",
    "predict_with_confidence",
    "read_dates",
    "read_yes_no",
    "routing_report",
    "routing_threshold",
    "share_alerts",
    "top_terms",
    "train_text_classifier",
    "wordlist_sentiment",
]

# Above this many messages, train_text_classifier switches to hashed word n-grams and a
# stochastic-gradient logistic regression: the character n-grams and the exact solver would
# take minutes on a million messages, the hashed path takes seconds (benchmarks/bench_text.py).
LARGE_CORPUS = 200_000

TOKEN_PATTERN = r"(?u)\b\w\w+\b"

# The word-list baseline: common French sentiment words, written without accents (texts are
# normalised first). Deliberately plain: it is what a spreadsheet formula would do.
POSITIVE_WORDS = frozenset(
    """merci super satisfait satisfaite excellent excellente parfait parfaite parfaitement top content
    contente ravi ravie genial geniale bravo rapide recommande plaisir gentillesse efficace conforme
    impeccable adore formidable agreable""".split()
)
NEGATIVE_WORDS = frozenset(
    """decu decue nul nulle inadmissible scandaleux scandale honteux honte furieux furieuse marre galere
    inacceptable probleme retard casse abime panne erreur lamentable mauvais mauvaise horrible pire
    arnaque colere desagreable perdu""".split()
)


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _as_texts(texts: object, *, name: str = "texts") -> pd.Series:
    """A Series of non-blank strings, or a DataError that says what is wrong and what to do."""
    if isinstance(texts, str | bytes):
        raise DataError(
            f"{name} must be a list or a column of texts, not a single text. Wrap it in a list: [text]."
        )
    if isinstance(texts, pd.DataFrame):
        raise DataError(
            f"{name} must be one column of texts, not a whole table with columns "
            f"{list(texts.columns)[:5]}. Pass df['your text column']."
        )
    if isinstance(texts, pd.Series):
        series = texts
    else:
        try:
            series = pd.Series(list(texts), dtype=object)
        except TypeError:
            raise DataError(
                f"{name} must be a list or a column of texts, got {type(texts).__name__}."
            ) from None
    column = f"column {series.name!r}" if series.name is not None else name
    if len(series) == 0:
        raise DataError(f"{column} holds no text at all. Check the file and the filters before this step.")
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise DataError(
            f"{column} holds numbers (such as {series.iloc[0]!r}), not texts. "
            "Pass the column that holds the messages."
        )
    missing = series.isna().to_numpy()
    if missing.any():
        first = series.index[np.argmax(missing)]
        raise DataError(
            f"{column} has {int(missing.sum())} missing text(s) (the first at row {first!r}). "
            "Drop them first, e.g. df = df.dropna(subset=['text']), or fill them with a placeholder."
        )
    not_text = ~series.map(lambda value: isinstance(value, str)).to_numpy()
    if not_text.any() and series[not_text].map(lambda value: isinstance(value, bytes)).any():
        raise DataError(
            f"{column} holds bytes, not text: the file was not decoded. Read it with "
            "mlmarketing.read_table(path), which recognises UTF-8 and Windows (cp1252) encodings."
        )
    if not_text.any():
        bad = series[not_text].iloc[0]
        raise DataError(
            f"{column} must hold texts but holds {type(bad).__name__} values such as {bad!r}. "
            "Pass the column that holds the messages, or convert it with .astype(str)."
        )
    blank = series.str.strip().eq("").to_numpy()
    if blank.any():
        first = series.index[np.argmax(blank)]
        raise DataError(
            f"{column} has {int(blank.sum())} empty text(s) (the first at row {first!r}); an empty "
            "message says nothing to a model. Drop them first, e.g. df = df[df['text'].str.strip() != '']."
        )
    return series


def _as_labels(labels: object, n: int, *, name: str = "labels", min_classes: int = 2) -> np.ndarray:
    if isinstance(labels, str | bytes) or isinstance(labels, pd.DataFrame):
        raise DataError(f"{name} must be one column or list of labels, one per text.")
    if isinstance(labels, pd.Series):
        series = labels
    else:
        series = pd.Series(list(labels), dtype=object).infer_objects()
    label_name = series.name if series.name is not None else name
    column = f"column {series.name!r}" if series.name is not None else name
    if len(series) != n:
        raise DataError(
            f"{column} has {len(series)} values but there are {n} texts; give exactly one label per text."
        )
    if series.isna().any():
        raise DataError(
            f"{column} has {int(series.isna().sum())} missing label(s) "
            f"({describe_rows(series.index, series.isna())}). Drop those messages or label them before "
            "training."
        )
    if pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=bool)
    elif pd.api.types.is_numeric_dtype(series):
        check_numeric(pd.DataFrame({label_name: series.to_numpy()}), [label_name])
        values = series.to_numpy()
    elif _is_yes_no_text(series):
        # "Oui", "oui " and "OUI" are one class: the yes/no reader, not three spellings.
        values = read_yes_no(series, column=label_name).to_numpy(dtype=bool)
    else:
        values = series.astype(str).to_numpy()
    if len(pd.unique(values)) < min_classes:
        raise DataError(
            f"{column} has a single class ({values[0]!r}): a classifier needs examples of at least "
            "two. Check the filter or the label column."
        )
    return values


def _is_yes_no_text(series: pd.Series) -> bool:
    """Text labels meant as yes/no: at least 80 % of them in the vocabulary, both answers present.

    Then the kit's yes/no reader reads them (and names any other value); 0/1 written as text
    stay classes.
    """
    counts = series.value_counts(dropna=True)  # labels repeat: look at each distinct one once
    if len(counts) == 0 or not all(isinstance(v, str) for v in counts.index):
        return False
    words = pd.Series(counts.index, dtype=object).str.strip().str.lower()
    if words.isin(["0", "1"]).all():
        return False
    yes, no = words.isin(YES_WORDS).to_numpy(), words.isin(NO_WORDS).to_numpy()
    share = counts.to_numpy()[yes | no].sum() / counts.to_numpy().sum()
    return bool(yes.any() and no.any() and share >= 0.8)


def _tfidf_table(vectorizer, texts: pd.Series):
    """Fit the TF-IDF vectorizer; an empty vocabulary is said in plain words, not by scikit-learn."""
    try:
        return vectorizer.fit_transform(normalise_texts(texts))
    except ValueError as error:
        if "empty vocabulary" in str(error) or "max_df corresponds to" in str(error) or \
                "no terms remain" in str(error):
            raise DataError(
                f"the {len(texts)} texts leave no word to work with once French stop words, words of "
                "one letter and words in a single message are removed (for example texts made only "
                "of 'le', 'la', 'et'). Pass more messages, or messages with more words in them."
            ) from None
        raise


# ---------------------------------------------------------------------------------------------
# Normalisation and stop words
# ---------------------------------------------------------------------------------------------


def _accent_table() -> dict[int, str]:
    """Latin letters with accents (U+00C0 to U+024F) mapped to the letters without them."""
    table = {}
    for code in range(0xC0, 0x250):
        letter = chr(code)
        plain = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
        if plain != letter:
            table[code] = plain
    table.update({ord("œ"): "oe", ord("æ"): "ae", ord("Œ"): "oe", ord("Æ"): "ae"})
    return table


_ACCENTS = _accent_table()


def normalise_texts(texts: Sequence[str] | pd.Series) -> np.ndarray:
    """Lower case and accents removed (é → e, œ → oe): one spelling per word.

    The first step of every pipeline of this module, the same for training and prediction.
    It uses pandas' vectorised string methods, so that a million messages take seconds.

    Examples
    --------
    >>> normalise_texts(["Problème RÉGLÉ", "cœur"]).tolist()
    ['probleme regle', 'coeur']
    """
    series = pd.Series(texts, dtype=object).astype(str)
    return series.str.lower().str.translate(_ACCENTS).to_numpy(dtype=object)


@cache
def _stop_words() -> tuple[str, ...]:
    raw = (resources.files("mlmarketing") / "resources" / "french_stopwords.txt").read_text(encoding="utf-8")
    words = [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(dict.fromkeys(normalise_texts(words)))


def french_stop_words() -> list[str]:
    """The kit's French stop-word list, normalised like the texts (no accents, lower case).

    Shipped as ``mlmarketing/resources/french_stopwords.txt``. Negations (``ne``, ``pas``,
    ``jamais``, ``rien``...) and intensifiers (``tres``, ``trop``) are kept out on purpose:
    "pas content" is not "content".

    Examples
    --------
    >>> "pas" in french_stop_words(), "etait" in french_stop_words()
    (False, True)
    """
    return list(_stop_words())


def _normaliser():
    from sklearn.preprocessing import FunctionTransformer

    return FunctionTransformer(normalise_texts)


def _stop_word_list(stop_words: object) -> list[str] | None:
    """The stop words to remove: ``"french"`` (the kit's list), ``None`` (none) or a list of words.

    Messages in another language than French keep every word with ``None``, or drop their own
    list (normalised like the texts, so ``"The"`` and ``"the"`` are one word).
    """
    if stop_words is None:
        return None
    if isinstance(stop_words, str):
        if stop_words.strip().lower() in ("french", "francais", "français", "fr"):
            return list(_stop_words())
        raise DataError(
            f"stop_words must be 'french' (the kit's French list), None (keep every word) or a list of "
            f"words, not {stop_words!r}."
        )
    try:
        words = list(stop_words)
    except TypeError:
        raise DataError(
            f"stop_words must be 'french', None or a list of words, not {type(stop_words).__name__}."
        ) from None
    if not all(isinstance(word, str) for word in words):
        raise DataError("stop_words must be a list of words (texts), such as ['the', 'and'].")
    return list(dict.fromkeys(normalise_texts(words))) if words else None


def _word_tfidf(stop_words: object = "french", **options):
    return _FastTfidf(
        lowercase=False, token_pattern=TOKEN_PATTERN, stop_words=_stop_word_list(stop_words), **options
    )


# ---------------------------------------------------------------------------------------------
# Classifiers
# ---------------------------------------------------------------------------------------------


_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's char_wb analyzer normalises white space


@cache
def _limit_features_returns_removed_terms() -> bool:
    """Whether this scikit-learn's ``_limit_features`` returns ``(X, removed terms)`` (older) or ``X``."""
    result = TfidfVectorizer()._limit_features(sparse.csr_matrix(np.ones((1, 1))), {"a": 0}, 1, 1, None)
    return isinstance(result, tuple)


class _FastTfidf(TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer``, counting the terms with arrays instead of one by one.

    scikit-learn looks every word, word pair and character n-gram of every message up in a
    dictionary, in Python: on 4,000 reviews of about 80 words that is 9 million look-ups, most of
    the classifier's training time. Here the messages are split at white space once, and each
    distinct piece is read once: its tokens (the token pattern only where the piece is not one
    plain word) and its character n-grams (``char_wb``), computed as numbers (letters numbered,
    an n-gram written in base "number of letters") an array operation at a time. Word n-grams
    are pairs of consecutive token numbers; a word's character n-grams do not depend on its
    neighbours, so one sparse product (messages × words times words × n-grams) counts them.
    Terms are pruned (``min_df``, ``max_df``) before their texts are made, and numbered in
    scikit-learn's order (by name, each row in the order it meets them), so the TF-IDF table,
    and a model fitted on it, are scikit-learn's to the last bit. Other analyzers, a custom
    preprocessor or tokenizer, and file inputs go through scikit-learn's own counting.

    Examples
    --------
    >>> texts = ["colis pas recu", "colis  recu  hier", "ok"]
    >>> options = dict(analyzer="char_wb", ngram_range=(2, 3), lowercase=False)
    >>> fast, plain = _FastTfidf(**options), TfidfVectorizer(**options)
    >>> bool((fast.fit_transform(texts) != plain.fit_transform(texts)).nnz == 0)
    True
    """

    def _count_vocab(self, raw_documents, fixed_vocab):
        self._pruned = False  # set below when the vocabulary leaves here pruned and sorted
        if self.analyzer not in ("word", "char_wb") or self.preprocessor is not None \
                or self.tokenizer is not None or self.input != "content":
            return super()._count_vocab(raw_documents, fixed_vocab)
        self.build_analyzer()  # scikit-learn's checks and warnings (stop words against the preprocessing)
        preprocess = self.build_preprocessor()
        docs = [preprocess(self.decode(doc)) for doc in raw_documents]
        count = self._word_terms if self.analyzer == "word" else self._char_terms
        counts, met, names_of = count(docs)  # documents × term codes; the rank in which sklearn meets each
        if fixed_vocab:
            vocabulary = self.vocabulary_
            names = names_of(np.arange(counts.shape[1]))
            column = np.fromiter((vocabulary.get(name, -1) for name in names), dtype=np.int64,
                                 count=len(names))
            counts = counts.tocoo()
            known = column[counts.col] >= 0  # terms never met in training are ignored
            counts = sparse.csr_matrix((counts.data[known], (counts.row[known], column[counts.col[known]])),
                                       shape=(len(docs), len(vocabulary)))
        else:
            if counts.shape[1] == 0:
                raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
            kept = self._within_document_limits(counts)
            codes = np.arange(counts.shape[1]) if kept is None else np.flatnonzero(kept)
            names = names_of(codes)  # the text of the terms kept only: most are in one message
            met_order = np.argsort(met[codes], kind="stable")
            counts, names = counts[:, codes[met_order]].tocsr().astype(self.dtype), names[met_order]
            counts.sort_indices()  # each row's terms in the order scikit-learn met them
            if kept is None:  # scikit-learn prunes and sorts
                vocabulary = dict(zip(names.tolist(), range(len(names)), strict=True))
            else:
                # Pruned here, and numbered by name as scikit-learn sorts them, the rows keeping
                # their order (as its sort does); its dictionary keeps the order it met them in.
                column = np.empty(len(names), dtype=counts.indices.dtype)
                column[np.argsort(names, kind="stable")] = np.arange(len(names))
                counts.indices = column[counts.indices]
                vocabulary = dict(zip(names.tolist(), column.tolist(), strict=True))
                self._pruned = True
            return vocabulary, counts
        counts = counts.tocsr().astype(self.dtype)
        counts.sort_indices()
        return vocabulary, counts

    def _sort_features(self, X, vocabulary):
        return X if self._pruned else super()._sort_features(X, vocabulary)

    def _limit_features(self, X, vocabulary, high=None, low=None, limit=None):
        if self._pruned and limit is None:
            # Pruned in _count_vocab, by the same rule, without a loop over the vocabulary. Before
            # scikit-learn dropped ``stop_words_``, this method also returned the terms it removed.
            return (X, set()) if _limit_features_returns_removed_terms() else X
        return super()._limit_features(X, vocabulary, high, low, limit)

    def _within_document_limits(self, counts) -> np.ndarray | None:
        """The terms that ``min_df`` and ``max_df`` keep, or None to let scikit-learn decide.

        scikit-learn prunes them after counting, with a Python loop over the whole vocabulary
        (most word pairs and n-grams are in one message only); pruning here first leaves the
        same table and vocabulary, since the terms kept keep their order.
        """
        if self.max_features is not None:
            return None
        n_docs = counts.shape[0]
        high = self.max_df if isinstance(self.max_df, numbers.Integral) else self.max_df * n_docs
        low = self.min_df if isinstance(self.min_df, numbers.Integral) else self.min_df * n_docs
        df = np.bincount(counts.tocsr().indices, minlength=counts.shape[1])
        kept = (df >= low) & (df <= high)
        if high < low or not kept.any():
            return None  # scikit-learn says what is wrong
        return kept

    def _pieces(self, docs: list[str]):
        """The white-space separated pieces of the documents: each distinct one once, and the codes.

        Returns the code of every piece in reading order, the distinct pieces (in order of first
        appearance) and the number of pieces in each document.
        """
        pieces_of = [doc.split() for doc in docs]
        lengths = np.fromiter(map(len, pieces_of), dtype=np.int64, count=len(docs))
        codes, distinct = pd.factorize(pd.Series(list(itertools.chain.from_iterable(pieces_of)),
                                                  dtype=object))
        return codes, np.asarray(distinct, dtype=object), lengths

    def _tokens(self, docs: list[str]):
        """Every token's code in reading order, the distinct tokens, and each token's document."""
        tokenize = self.build_tokenizer()
        if self.token_pattern != TOKEN_PATTERN:
            tokens_of = [tokenize(doc) for doc in docs]
            lengths = np.fromiter(map(len, tokens_of), dtype=np.int64, count=len(docs))
            flat = pd.Series(list(itertools.chain.from_iterable(tokens_of)), dtype=object)
            codes, words = pd.factorize(flat)
            return codes, np.asarray(words, dtype=object), np.repeat(np.arange(len(docs)), lengths)
        # The pattern's tokens never hold white space, so a document's tokens are those of its
        # pieces: the regular expression runs once per distinct piece, not once per message.
        piece, pieces, lengths = self._pieces(docs)
        # A piece of two or more letters or digits is its one token (\w is what str.isalnum accepts, and _).
        tokens_of = [[p] if len(p) > 1 and p.isalnum() else tokenize(p) for p in pieces]
        per_piece = np.fromiter(map(len, tokens_of), dtype=np.int64, count=len(pieces))
        flat = pd.Series(list(itertools.chain.from_iterable(tokens_of)), dtype=object)
        token_code, words = pd.factorize(flat)
        start = np.concatenate([[0], np.cumsum(per_piece)[:-1]])
        n = per_piece[piece]  # tokens of each piece met, in reading order
        offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        codes = token_code[np.repeat(start[piece], n) + offset]
        doc = np.repeat(np.repeat(np.arange(len(docs)), lengths), n)
        return codes, np.asarray(words, dtype=object), doc

    def _word_terms(self, docs: list[str]):
        """Documents × word n-gram counts, the rank in which scikit-learn meets each, their texts."""
        codes, words, doc = self._tokens(docs)
        stop = self.get_stop_words()
        if stop:
            kept = ~pd.Series(words, dtype=object).isin(list(stop)).to_numpy()[codes]
            codes, doc = codes[kept], doc[kept]  # stop words go before the n-grams are made
        position = np.arange(len(doc)) - np.searchsorted(doc, doc)  # in the document, stop words out
        low, high = self.ngram_range
        key = codes.astype(np.int64)  # the n-gram starting at each token (-1: none)
        terms, term_doc, first_token, first_doc, first_n, first_position = [], [], [], [], [], []
        for n in range(1, high + 1):
            if n > 1:
                # An n-gram is an (n-1)-gram and the token n-1 places on, in the same document.
                start = np.arange(len(codes) - n + 1)
                start = start[(key[start] >= 0) & (doc[start + n - 1] == doc[start])]
                pair = key[start] * len(words) + codes[start + n - 1]
                key = np.full(len(codes), -1, dtype=np.int64)
                key[start] = pd.factorize(pair)[0]
            if n < low:
                continue
            start = np.flatnonzero(key >= 0)
            local = pd.factorize(key[start])[0]  # 0, 1, 2, ... as the terms first appear
            # A token opening a code higher than all before it is that term's first occurrence.
            highest = np.maximum.accumulate(local)
            opens = start[np.r_[True, highest[1:] > highest[:-1]]] if len(local) else start
            terms.append(local + sum(map(len, first_token)))
            term_doc.append(doc[start])
            first_token.append(opens)
            first_doc.append(doc[opens])
            first_position.append(position[opens])
            first_n.append(np.full(len(opens), n))
        terms, term_doc = np.concatenate(terms), np.concatenate(term_doc)  # one part per n at least
        first_n = np.concatenate(first_n)
        first_token = np.concatenate(first_token)
        # scikit-learn meets the terms document by document: its words, then its pairs, ...
        order = np.lexsort((np.concatenate(first_position), first_n, np.concatenate(first_doc)))
        met = np.empty(len(order), dtype=np.int64)
        met[order] = np.arange(len(order))
        counts = sparse.csr_matrix((np.ones(len(terms), dtype=np.int64), (term_doc, terms)),
                                   shape=(len(docs), len(first_token)))

        def names_of(selected: np.ndarray) -> np.ndarray:
            """The text of n-grams: the words from their first occurrence, joined by spaces."""
            selected = np.asarray(selected, dtype=np.int64)
            names = np.empty(len(selected), dtype=object)
            for n in np.unique(first_n[selected]):
                these = first_n[selected] == n
                token = first_token[selected[these]]
                text = pd.Series(words[codes[token]], dtype=object)
                for shift in range(1, n):
                    text = text + " " + pd.Series(words[codes[token + shift]], dtype=object)
                names[these] = text.to_numpy(dtype=object)
            return names

        return counts, met, names_of

    def _char_terms(self, docs: list[str]):
        """Documents × character n-gram counts, the rank in which scikit-learn meets each, their texts.

        A word's n-grams are numbers: its letters numbered 1, 2, ... (0 is no letter), an n-gram
        is its letters' numbers written in base (letters + 1), so each position of each length is
        one array operation over all the words, not a Python loop over the n-grams.
        """
        piece, pieces, lengths = self._pieces(docs)
        low, high = self.ngram_range
        padded = [f" {word} " for word in pieces]
        size = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
        letters = np.unique(np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32))
        base = len(letters) + 1
        if high * np.log2(base) >= 62:  # the numbers would not fit in 64 bits: one n-gram at a time
            return self._char_terms_one_by_one(piece, pieces, lengths)
        gram, owner, rank = [], [], []  # rank: (word, length, position), the order sklearn meets them
        stride = high * int(size.max() + 1)
        by_size = np.argsort(size, kind="stable")
        bounds = np.searchsorted(size[by_size], [0, 9, 17, 33, 65, 129, 257, 513, 1025, np.inf])
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            if lo == hi:
                continue
            rows = by_size[lo:hi]  # words of similar length: one table of letters
            width = int(size[rows].max())
            table = np.array([padded[row] for row in rows], dtype=f"U{width}").view(np.uint32)
            digits = (np.searchsorted(letters, table.reshape(len(rows), width)) + 1).astype(np.int64)
            for n in range(low, high + 1):
                for start in range(width - n + 1):
                    these = np.flatnonzero(size[rows] >= start + n)
                    if not len(these):
                        break
                    number = digits[these, start]
                    for i in range(1, n):
                        number = number * base + digits[these, start + i]
                    gram.append(number)
                    owner.append(rows[these])
                    rank.append(rows[these] * stride + (n - low) * (stride // high) + start)
            short = np.flatnonzero(size[rows] < low)  # counted once, whole
            if len(short):
                number = np.zeros(len(short), dtype=np.int64)
                for i in range(width):
                    inside = size[rows[short]] > i
                    number = np.where(inside, number * base + digits[short, i], number)
                gram.append(number)
                owner.append(rows[short])
                rank.append(rows[short] * stride)
        gram, owner, rank = np.concatenate(gram), np.concatenate(owner), np.concatenate(rank)
        gram_code, distinct = pd.factorize(gram)
        first = np.full(len(distinct), np.iinfo(np.int64).max)
        np.minimum.at(first, gram_code, rank)
        met = np.argsort(np.argsort(first, kind="stable"), kind="stable")
        per_word = sparse.csr_matrix((np.ones(len(owner), dtype=np.int64), (owner, gram_code)),
                                     shape=(len(pieces), len(distinct)))
        per_doc = sparse.csr_matrix(
            (np.ones(len(piece), dtype=np.int64), (np.repeat(np.arange(len(docs)), lengths), piece)),
            shape=(len(docs), len(pieces)),
        )

        def names_of(selected: np.ndarray) -> np.ndarray:
            """The text of n-grams: read from the word, length and position they were first met at."""
            where = first[np.asarray(selected, dtype=np.int64)]
            word, rest = np.divmod(where, stride)
            n, start = np.divmod(rest, stride // high)
            return np.array([padded[w][s:s + k + low] for w, k, s in zip(word, n, start, strict=True)],
                            dtype=object)

        return per_doc @ per_word, met, names_of

    def _char_terms_one_by_one(self, piece, pieces, lengths):
        """The n-grams cut word by word in Python: for alphabets too large to number them in 64 bits."""
        low, high = self.ngram_range
        grams, owner = [], []
        for code, word in enumerate(pieces):
            padded = f" {word} "
            size = len(padded)
            for n in range(low, high + 1):
                if size <= n:  # a short word is counted once, whole
                    grams.append(padded)
                    owner.append(code)
                    break
                grams.extend(padded[i:i + n] for i in range(size - n + 1))
                owner.extend(itertools.repeat(code, size - n + 1))
        gram_code, names = pd.factorize(pd.Series(grams, dtype=object))  # in the order sklearn meets them
        names = np.asarray(names, dtype=object)
        per_word = sparse.csr_matrix((np.ones(len(owner), dtype=np.int64), (owner, gram_code)),
                                     shape=(len(pieces), len(names)))
        per_doc = sparse.csr_matrix(
            (np.ones(len(piece), dtype=np.int64), (np.repeat(np.arange(len(lengths)), lengths), piece)),
            shape=(len(lengths), len(pieces)),
        )
        return per_doc @ per_word, np.arange(len(names)), names.__getitem__


def train_text_classifier(
    texts: Sequence[str] | pd.Series,
    labels: Sequence | pd.Series,
    *,
    method: str = "auto",
    C: float = 10.0,
    stop_words: str | Sequence[str] | None = "french",
    characters: bool = False,
    random_state: int = 0,
):
    """Fit a classifier of French messages (intent, sentiment, ...) and return the fitted pipeline.

    Two ways, chosen by the number of messages when ``method="auto"``:

    - ``"tfidf"`` (up to :data:`LARGE_CORPUS` = 200,000 messages): texts normalised
      (:func:`normalise_texts`), then TF-IDF of words and word pairs (French stop words removed,
      :func:`french_stop_words`); with ``characters=True``, side by side with TF-IDF of character
      n-grams of 2 to 4 letters inside words (``char_wb``), which still match a word with a typo or
      a missing accent; then a multinomial logistic regression (``C`` is the inverse
      regularisation strength).
    - ``"hashing"`` (above that size): normalised texts, hashed words and word pairs (2**20
      columns, no vocabulary to build), TF-IDF weights, and a logistic regression fitted by
      stochastic gradient descent (3 passes). A million messages train in well under a minute;
      there are no character n-grams, so typos count for a little more.

    Parameters
    ----------
    texts : list or Series of str
        One message per row. Missing or blank texts raise :class:`mlmarketing.DataError`: drop them first.
    labels : list or Series
        The class of each message (at least two classes).
    method : {"auto", "tfidf", "hashing"}, default "auto"
    C : float, default 10.0
        Inverse regularisation strength of the logistic regression (``"tfidf"`` only).
    stop_words : "french", None or list of str, default "french"
        Words left out of the word n-grams: the kit's French list, none (``None``: messages in
        another language), or your own list.
    characters : bool, default False
        Add the character n-grams (``"tfidf"`` only). They help with typos and rare spellings, but
        hold several times as many non-zero values as the words, so training takes several times
        longer; on public English reviews and tweets they change the held-out accuracy by about a
        point, either way (``benchmarks/bench_peers.py``).
    random_state : int, default 0

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted; ``predict(texts)``, ``predict_proba(texts)`` and ``classes_`` as usual.

    Examples
    --------
    >>> texts = ["colis pas reçu", "où est mon colis", "facture fausse", "erreur sur la facture"]
    >>> model = train_text_classifier(texts, ["delivery", "delivery", "billing", "billing"])
    >>> model.predict(["mon COLIS n'est pas arrive"]).tolist()
    ['delivery']
    """
    series = _as_texts(texts)
    y = _as_labels(labels, len(series))
    if isinstance(C, bool) or not isinstance(C, int | float | np.number) or not np.isfinite(C) or C <= 0:
        raise DataError(
            f"C must be a positive number such as 10.0 (less regularisation when larger), not {C!r}."
        )
    if not isinstance(characters, bool | np.bool_):
        raise DataError(f"characters must be True or False, not {characters!r}.")
    if method not in ("auto", "tfidf", "hashing"):
        raise DataError(f"method must be 'auto', 'tfidf' or 'hashing', not {method!r}.")
    if method == "auto":
        method = "hashing" if len(series) > LARGE_CORPUS else "tfidf"
    removed = _stop_word_list(stop_words)

    from sklearn.pipeline import FeatureUnion, Pipeline

    if method == "tfidf":
        from sklearn.linear_model import LogisticRegression

        few = len(series) < 50  # tiny examples: keep every term
        min_df = 1 if few else 2
        parts = [("words", _word_tfidf(removed, ngram_range=(1, 2), min_df=min_df, sublinear_tf=True))]
        if characters:
            # Opt-in: the n-grams hold most of the table's non-zero values, hence most of the
            # solver's time (the words alone train in about the time of a plain TF-IDF pipeline).
            characters_tfidf = _FastTfidf(analyzer="char_wb", ngram_range=(2, 4), lowercase=False,
                                          min_df=min_df, sublinear_tf=True)
            parts.append(("characters", characters_tfidf))
        features = FeatureUnion(parts)
        classifier = LogisticRegression(C=C, max_iter=3000, random_state=random_state)
    else:
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
        from sklearn.linear_model import SGDClassifier

        features = Pipeline(
            [
                (
                    "hashed_words",
                    HashingVectorizer(
                        lowercase=False,
                        token_pattern=TOKEN_PATTERN,
                        stop_words=removed,
                        ngram_range=(1, 2),
                        n_features=2**20,
                        alternate_sign=False,
                        norm=None,
                    ),
                ),
                ("tfidf", TfidfTransformer(sublinear_tf=True)),
            ]
        )
        classifier = SGDClassifier(
            loss="log_loss", alpha=1e-6, max_iter=3, tol=None, random_state=random_state
        )
    model = Pipeline([("normalise", _normaliser()), ("features", features), ("classifier", classifier)])
    from threadpoolctl import threadpool_limits

    # One thread: on a small table, threads only add waiting (ten times slower on a busy 2-core machine).
    with threadpool_limits(limits=1):
        return model.fit(series.to_numpy(dtype=object), y)


def predict_with_confidence(model, texts: Sequence[str] | pd.Series) -> pd.DataFrame:
    """The predicted class of each text and the model's confidence (its highest probability).

    Parameters
    ----------
    model : fitted pipeline from :func:`train_text_classifier` (any classifier with ``predict_proba``)
    texts : list or Series of str

    Returns
    -------
    pandas.DataFrame
        Columns ``predicted`` and ``confidence`` (0-1), one row per text (same index as a Series).

    Examples
    --------
    >>> texts = ["colis pas reçu", "où est mon colis", "facture fausse", "erreur sur la facture"]
    >>> model = train_text_classifier(texts, ["delivery", "delivery", "billing", "billing"])
    >>> predict_with_confidence(model, ["colis"]).columns.tolist()
    ['predicted', 'confidence']
    """
    series = _as_texts(texts)
    if not hasattr(model, "predict_proba"):
        raise DataError(
            "model must be a fitted classifier with predict_proba, e.g. from train_text_classifier."
        )
    proba = model.predict_proba(series.to_numpy(dtype=object))
    classes = np.asarray(model.classes_)
    return pd.DataFrame(
        {"predicted": classes[proba.argmax(axis=1)], "confidence": proba.max(axis=1)}, index=series.index
    )


def wordlist_sentiment(texts: Sequence[str] | pd.Series) -> pd.Series:
    """Baseline sentiment: count positive and negative French words; the larger count wins.

    A message with as many positive as negative words (often none) is ``"neutral"``. The lists
    are :data:`POSITIVE_WORDS` and :data:`NEGATIVE_WORDS` (about 30 words each, no accents). It
    ignores negation ("pas content" counts as positive) and context ("merci d'avance" as positive):
    that is what a model has to beat.

    Examples
    --------
    >>> texts = ["Merci, service PARFAIT", "colis cassé, c'est nul", "où est mon colis ?"]
    >>> wordlist_sentiment(texts).tolist()
    ['positive', 'negative', 'neutral']
    """
    series = _as_texts(texts)
    tokens = pd.Series(normalise_texts(series), index=series.index).str.findall(r"\w+")
    positive = tokens.map(lambda words: sum(w in POSITIVE_WORDS for w in words))
    negative = tokens.map(lambda words: sum(w in NEGATIVE_WORDS for w in words))
    out = np.select([positive > negative, negative > positive], ["positive", "negative"], "neutral")
    return pd.Series(out, index=series.index, name="sentiment (word list)")


# ---------------------------------------------------------------------------------------------
# Terms and topics
# ---------------------------------------------------------------------------------------------


def top_terms(
    texts: Sequence[str] | pd.Series,
    labels: Sequence | pd.Series,
    n_terms: int = 8,
    *,
    stop_words: str | Sequence[str] | None = "french",
) -> pd.DataFrame:
    """The words that characterise each class: those whose TF-IDF weight is most above the other classes'.

    Texts are normalised and stop words removed (``stop_words``: ``"french"``, the kit's list;
    ``None`` for none; or your own list); a term must appear in at least two messages. The score
    of a term for a class is its mean TF-IDF weight in that class's messages minus its mean weight
    in all other messages.

    Returns
    -------
    pandas.DataFrame
        One row per class (index), columns ``messages`` (count) and ``top terms`` (comma-separated,
        most characteristic first).

    Examples
    --------
    >>> texts = ["colis pas reçu", "colis en retard", "facture fausse", "facture en double"]
    >>> top_terms(texts, ["delivery", "delivery", "billing", "billing"], n_terms=1)["top terms"].tolist()
    ['facture', 'colis']
    """
    series = _as_texts(texts)
    y = _as_labels(labels, len(series)).astype(str)
    n_terms = check_positive_int(n_terms, "n_terms")
    vectorizer = _word_tfidf(stop_words, min_df=2 if len(series) >= 10 else 1)
    weights = _tfidf_table(vectorizer, series)
    terms = vectorizer.get_feature_names_out()
    rows = []
    for label in sorted(pd.unique(y)):
        inside = y == label
        score = (
            np.asarray(weights[inside].mean(axis=0)).ravel()
            - np.asarray(weights[~inside].mean(axis=0)).ravel()
        )
        best = np.argsort(-score, kind="stable")[:n_terms]
        rows.append({"class": label, "messages": int(inside.sum()), "top terms": ", ".join(terms[best])})
    return pd.DataFrame(rows).set_index("class")


def find_topics(
    texts: Sequence[str] | pd.Series,
    n_topics: int,
    *,
    n_terms: int = 8,
    stop_words: str | Sequence[str] | None = "french",
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.Series]:
    """Topics found without labels: non-negative matrix factorisation (NMF) of the TF-IDF table.

    Each topic is a weighted set of words; each message gets the topic with the largest weight.

    Parameters
    ----------
    texts : list or Series of str
    n_topics : int
        Number of topics to find (at least 2, fewer than the number of messages).
    n_terms : int, default 8
        Words shown per topic.
    stop_words : "french", None or list of str, default "french"
        Words left out: the kit's French list, none, or your own list.
    random_state : int, default 0

    Returns
    -------
    topics : pandas.DataFrame
        One row per topic (``topic 1``...), columns ``messages`` and ``top terms``.
    topic : pandas.Series
        The topic of each message (same index as ``texts`` when it is a Series).

    Examples
    --------
    >>> texts = ["colis pas reçu", "colis en retard", "facture fausse", "facture en double"] * 3
    >>> topics, topic = find_topics(texts, n_topics=2)
    >>> len(topics), topic.nunique()
    (2, 2)
    """
    from sklearn.decomposition import NMF

    series = _as_texts(texts)
    n_terms = check_positive_int(n_terms, "n_terms")
    whole = not isinstance(n_topics, bool) and isinstance(n_topics, int | np.integer)
    if not whole or not 2 <= n_topics < len(series):
        raise DataError(
            f"n_topics must be a whole number from 2 to {len(series) - 1} (fewer than the messages), "
            f"not {n_topics!r}."
        )
    vectorizer = _word_tfidf(
        stop_words, min_df=2 if len(series) >= 10 else 1, max_df=0.5, sublinear_tf=True
    )
    weights = _tfidf_table(vectorizer, series)
    terms = vectorizer.get_feature_names_out()
    nmf = NMF(n_components=n_topics, init="nndsvda", max_iter=1000, random_state=random_state)
    per_message = nmf.fit_transform(weights)
    names = np.array([f"topic {k + 1}" for k in range(n_topics)])
    topic = pd.Series(names[per_message.argmax(axis=1)], index=series.index, name="topic")
    topics = pd.DataFrame(
        {
            "messages": [int((topic == name).sum()) for name in names],
            "top terms": [
                ", ".join(terms[np.argsort(-row, kind="stable")[:n_terms]]) for row in nmf.components_
            ],
        },
        index=pd.Index(names, name="topic"),
    )
    return topics, topic


# ---------------------------------------------------------------------------------------------
# Alerts over time
# ---------------------------------------------------------------------------------------------


_PERIOD_OFFSETS = (
    "'D' (days), 'W-MON' (weeks from Monday), 'MS' (calendar months), 'QS' (quarters), 'YS' (years)"
)


def _period_starts(dates: pd.Series, freq: object) -> np.ndarray:
    """The first day of each date's period, ``freq`` being a pandas offset alias of period starts."""
    from pandas.tseries import offsets

    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        offset = None
    starts = (offsets.Day, offsets.Week, offsets.MonthBegin, offsets.QuarterBegin, offsets.YearBegin)
    if offset is None or not isinstance(offset, starts) or offset.n != 1 or (
        isinstance(offset, offsets.Week) and offset.weekday is None
    ):
        raise DataError(
            f"freq={freq!r} is not a period this function knows: pass a pandas offset alias naming "
            f"where each period starts, one of {_PERIOD_OFFSETS}."
        )
    days = dates.dt.normalize()
    codes, uniques = pd.factorize(days)
    # Each distinct day is moved back once to the start of its period (a day already on it stays).
    first = np.array([offset.rollback(day) for day in uniques], dtype="datetime64[ns]")
    return first[codes]


def share_alerts(
    df: pd.DataFrame,
    date: str,
    column: str,
    value: object,
    *,
    freq: str = "W-MON",
    z: float = 3.0,
    min_history: int = 4,
) -> pd.DataFrame:
    """Share of messages with ``df[column] == value`` per period, and an alert when it jumps.

    The expected share of a period is the share over all earlier periods; the alert fires when
    the period's share exceeds it by more than ``z`` binomial standard errors,
    ``expected + z * sqrt(expected * (1 - expected) / messages)``, once ``min_history`` periods
    have been seen.

    Parameters
    ----------
    df : DataFrame
    date : str
        Column of dates, read with the kit's date reader: ISO, else day first (``"01/03/2024"`` is
        1 March); a value that is not a date raises DataError. Rows without a date are refused.
    column, value : str, object
        The flag: for example ``"sentiment"`` and ``"negative"``. When ``value`` is ``True`` or
        ``False`` the column is read as yes/no (``Oui``/``Non``, ``Vrai``/``Faux``...). Rows whose
        flag is missing are left out, and counted in a :class:`~mlmarketing.DataWarning`.
    freq : str, default "W-MON"
        A pandas offset alias naming where each period starts: ``"D"`` days, ``"W-MON"`` weeks from
        Monday (``"W"`` is pandas' ``"W-SUN"``, weeks from Sunday), ``"MS"`` calendar months,
        ``"QS"`` quarters, ``"YS"`` years. Anything else raises DataError.
    z : float, default 3.0
        Standard errors above the expected share that make an alert (positive).
    min_history : int, default 4
        Periods seen before the first alert can fire.

    Returns
    -------
    pandas.DataFrame
        One row per period: ``period`` (its first day), ``messages``, ``flagged``, ``share``,
        ``expected``, ``upper limit``, ``alert``.

    Examples
    --------
    >>> df = pd.DataFrame({"date": ["01/01/2024", "02/01/2024", "03/01/2024", "04/01/2024",
    ...                             "05/01/2024", "06/01/2024"],
    ...                    "mood": ["ok", "ok", "bad", "ok", "bad", "bad"]})
    >>> share_alerts(df, "date", "mood", "bad", freq="D", min_history=2)["alert"].tolist()
    [False, False, True, False, False, False]
    """
    check_frame(df)
    check_columns(df, [date, column])
    if isinstance(z, bool) or not isinstance(z, int | float | np.number) or not np.isfinite(z) or z <= 0:
        raise DataError(f"z must be a positive number of standard errors, such as 3.0, not {z!r}.")
    min_history = check_positive_int(min_history, "min_history")
    dates = read_dates(df[date], column=date)
    no_date = dates.isna().to_numpy()
    if no_date.any():
        raise DataError(
            f"column {date!r} has {int(no_date.sum())} missing date(s) ({describe_rows(df.index, no_date)}); "
            f"drop those rows first, e.g. df = df.dropna(subset=[{date!r}])."
        )
    flags = df[column]
    known = flags.notna().to_numpy()
    if not known.any():
        raise DataError(
            f"column {column!r} has no value at all ({len(flags)} missing): check that it is the right "
            "column and that the file was read completely."
        )
    warn_dropped(int((~known).sum()), len(flags), f"no value in column {column!r}")
    if isinstance(value, bool | np.bool_):
        flagged = (read_yes_no(flags[known], column=column).to_numpy(dtype=bool) == bool(value))
    else:
        flagged = (flags[known] == value).to_numpy()
    if not flagged.any():
        values = ", ".join(shown(v) for v in pd.unique(flags.dropna())[:8])
        raise DataError(
            f"no row of column {column!r} equals {value!r}. Its values include: {values}. Pass one of "
            "them (or True/False for a yes/no column)."
        )
    period = _period_starts(dates[known], freq)
    table = (
        pd.DataFrame({"period": period, "flagged": flagged})
        .groupby("period")["flagged"]
        .agg(messages="size", flagged="sum")
        .reset_index()
    )
    table["share"] = table["flagged"] / table["messages"]
    earlier_flagged = table["flagged"].cumsum().shift(1)
    earlier_messages = table["messages"].cumsum().shift(1)
    expected = earlier_flagged / earlier_messages
    expected[np.arange(len(table)) < min_history] = np.nan
    table["expected"] = expected
    table["upper limit"] = (expected + z * np.sqrt(expected * (1 - expected) / table["messages"])).clip(
        upper=1
    )
    table["alert"] = (table["share"] > table["upper limit"]).to_numpy()
    table["flagged"] = table["flagged"].astype(int)
    return table


# ---------------------------------------------------------------------------------------------
# Routing: how much can a bot answer
# ---------------------------------------------------------------------------------------------


def routing_report(
    y_true: Sequence | pd.Series,
    y_pred: Sequence | pd.Series,
    confidence: Sequence[float] | pd.Series,
    *,
    thresholds: Sequence[float] | None = None,
    needs_person: Sequence | pd.Series | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Automation rate and error rate of a chatbot for each confidence threshold.

    The bot answers a message itself when the model's confidence is at least the threshold, and
    transfers it to a person otherwise. An automated answer is an error when the predicted class
    is not the true one, or (with ``needs_person``) when the message needed a person anyway.

    Parameters
    ----------
    y_true, y_pred : list or Series
        True and predicted class of each message (held-out messages, not the training ones).
    confidence : list or Series of float
        The model's confidence in each prediction, 0-1 (:func:`predict_with_confidence`).
    thresholds : list of float, optional
        Default 0.00, 0.05, ..., 0.95.
    needs_person : list or Series of yes/no, optional
        Whether each message needed a person (a refund to decide, a case to investigate): a bot
        answer to it fails even with the right class. Read with the kit's yes/no reader
        (``Oui``/``Non``, ``1``/``0``...); a missing value counts as "no", said with a
        :class:`~mlmarketing.DataWarning`.
    level : float, default 0.95
        Confidence level of the Wilson interval around each error rate.

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold``, ``automated`` (messages), ``automation rate``,
        ``errors``, ``error rate`` (on automated answers; missing when none is automated),
        ``error rate low`` and ``error rate high`` (the interval at ``level``),
        ``transferred rate``. ``report.attrs["level"]`` keeps the level, for the plot.

    Examples
    --------
    >>> report = routing_report(["a", "a", "b", "b"], ["a", "b", "b", "b"], [0.9, 0.6, 0.8, 0.4],
    ...                         thresholds=[0.5, 0.7])
    >>> report[["threshold", "automated", "errors"]].to_dict("list")
    {'threshold': [0.5, 0.7], 'automated': [3, 2], 'errors': [1, 0]}
    >>> routing_report(["a", "a", "b", "b"], ["a", "b", "b", "b"], [0.9, 0.6, 0.8, 0.4],
    ...                thresholds=[0.7], needs_person=["Non", "Non", "Oui", "Non"])["errors"].tolist()
    [1]
    """
    from statsmodels.stats.proportion import proportion_confint

    truth = np.asarray(_as_labels(y_true, len(y_true), name="y_true", min_classes=1), dtype=object)
    predicted = np.asarray(_as_labels(y_pred, len(truth), name="y_pred", min_classes=1), dtype=object)
    level = check_level(level)
    scores = confidence if isinstance(confidence, pd.Series) else pd.Series(list(confidence))
    scores = scores.rename("confidence")
    if len(scores) != len(truth):
        raise DataError(f"confidence has {len(scores)} values but there are {len(truth)} messages.")
    check_numeric(scores.to_frame(), ["confidence"])
    score = scores.to_numpy(dtype=float, na_value=np.nan)
    outside = np.isnan(score) | (score < 0) | (score > 1)
    if outside.any():
        raise DataError(
            f"confidence must hold numbers between 0 and 1 (the model's highest probability), but "
            f"{describe_rows(scores.index, outside)} hold(s) {shown(score[outside][0])}. Pass the "
            "'confidence' column of predict_with_confidence."
        )
    if thresholds is None:
        thresholds = np.round(np.arange(0.0, 1.0, 0.05), 2)
    thresholds = pd.Series(list(np.atleast_1d(thresholds))).rename("thresholds")
    check_numeric(thresholds.to_frame(), ["thresholds"])
    if thresholds.isna().any() or not thresholds.astype(float).between(0, 1).all():
        raise DataError(
            f"thresholds must be numbers between 0 and 1, such as [0.5, 0.7], not {list(thresholds)}."
        )
    wrong = truth.astype(str) != predicted.astype(str)
    if needs_person is not None:
        needed = needs_person if isinstance(needs_person, pd.Series) else pd.Series(list(needs_person))
        if len(needed) != len(truth):
            raise DataError(f"needs_person has {len(needed)} values but there are {len(truth)} messages.")
        needed = read_yes_no(needed.reset_index(drop=True), column=needed.name or "needs_person",
                             allow_missing=True)
        if needed.isna().any():
            warnings.warn(
                f"{int(needed.isna().sum()):,} of {len(needed):,} messages have no needs_person value: "
                "counted as not needing a person.", DataWarning, stacklevel=2,
            )
        wrong = wrong | needed.fillna(False).to_numpy(dtype=bool)
    rows = []
    for threshold in thresholds:
        automated = score >= threshold
        n, errors = int(automated.sum()), int((wrong & automated).sum())
        low, high = proportion_confint(errors, n, alpha=1 - level, method="wilson") if n else (np.nan, np.nan)
        rows.append(
            {
                "threshold": float(threshold),
                "automated": n,
                "automation rate": n / len(truth),
                "errors": errors,
                "error rate": errors / n if n else np.nan,
                "error rate low": float(low),
                "error rate high": float(high),
                "transferred rate": 1 - n / len(truth),
            }
        )
    report = pd.DataFrame(rows)
    report.attrs["level"] = level
    return report


def routing_threshold(report: pd.DataFrame, max_error_rate: float, *, cautious: bool = True) -> float:
    """The lowest threshold (the most automation) whose error rate stays at or below the target.

    With ``cautious=True`` the upper end of the error rate's interval (``error rate high``) must be
    at or below the target, so that the error rate on new messages is very likely below it too;
    with ``False`` the observed error rate is used.

    Examples
    --------
    >>> report = routing_report(["a", "a", "b", "b"], ["a", "b", "b", "b"], [0.9, 0.6, 0.8, 0.4],
    ...                         thresholds=[0.5, 0.7])
    >>> routing_threshold(report, 0.1, cautious=False)
    0.7
    """
    check_frame(report, name="report")
    check_columns(report, ["threshold", "error rate", "error rate high"], role="report column")
    if isinstance(max_error_rate, bool) or not isinstance(max_error_rate, int | float | np.number) \
            or not 0 < max_error_rate < 1:
        raise DataError(
            f"max_error_rate must be a rate between 0 and 1, such as 0.05, not {max_error_rate!r}."
        )
    rate = report["error rate high" if cautious else "error rate"]
    ok = report.loc[rate.le(max_error_rate), "threshold"]
    if ok.empty:
        raise DataError(
            f"no threshold keeps the error rate at or below {max_error_rate:.1%}. Add higher thresholds, "
            "accept a higher error rate, or label more messages to train a better model."
        )
    return float(ok.min())


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def plot_routing(report: pd.DataFrame, max_error_rate: float | None = None, *, ax=None):
    """The chatbot's trade-off: share answered automatically (x) against the error rate on those answers (y).

    The band is the error rate's interval, labelled with the level the report was made at
    (``report.attrs["level"]``). ``ax=None`` draws on a new figure; the Axes is returned.

    Examples
    --------
    >>> report = routing_report(["a", "b"], ["a", "a"], [0.9, 0.6], thresholds=[0.5, 0.7])
    >>> plot_routing(report, 0.1).get_xlabel()
    'share of messages answered automatically'
    """
    import matplotlib.pyplot as plt

    check_frame(report, name="report")
    check_columns(report, ["threshold", "automation rate", "error rate"], role="report column")
    ax = new_axes(ax)
    drawn = report.dropna(subset=["error rate"])
    ax.plot(
        drawn["automation rate"], drawn["error rate"], marker="o", label="error rate on automated answers"
    )
    if {"error rate low", "error rate high"} <= set(drawn.columns):
        level = report.attrs.get("level")
        ax.fill_between(
            drawn["automation rate"],
            drawn["error rate low"],
            drawn["error rate high"],
            alpha=0.2,
            label=f"its {level_label(level)} interval" if level is not None else "its interval",
        )
    if max_error_rate is not None:
        ax.axhline(max_error_rate, color="grey", linestyle="--", label=f"target {max_error_rate:.0%}")
    ax.set_xlabel("share of messages answered automatically")
    ax.set_ylabel("error rate on automated answers")
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title("How much can the bot answer?")
    ax.legend(loc="upper left")
    return ax


def plot_share_alerts(table: pd.DataFrame, *, ax=None, label: str = "share"):
    """The share per period, its expected value and upper limit, and the alerts (red points).

    ``table`` is the result of :func:`share_alerts`; ``ax=None`` draws on a new figure.

    Examples
    --------
    >>> df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=6, freq="D"),
    ...                    "mood": ["ok", "ok", "bad", "ok", "bad", "bad"]})
    >>> plot_share_alerts(share_alerts(df, "date", "mood", "bad", freq="D", min_history=2)).get_ylabel()
    'share'
    """
    import matplotlib.pyplot as plt

    check_frame(table, name="table")
    check_columns(table, ["period", "share", "expected", "upper limit", "alert"], role="table column")
    ax = new_axes(ax)
    ax.plot(table["period"], table["share"], marker="o", label=label)
    ax.plot(table["period"], table["upper limit"], linestyle="--", color="grey", label="alert limit")
    alerts = table[table["alert"]]
    ax.scatter(alerts["period"], alerts["share"], color="red", s=80, zorder=3, label="alert")
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylabel(label)
    # Below the axes: inside, a legend can hide the very points it explains (the alerts).
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)
    return ax
