"""mlmarketing.text: French message classifiers, terms, topics, alerts and chatbot routing."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

import mlmarketing
from mlmarketing import DataError, load_dataset, read_table, text
from mlmarketing.simulate import planted_truth


@pytest.fixture(scope="module")
def messages():
    return load_dataset("messages")


@pytest.fixture(scope="module")
def truth():
    return planted_truth("messages")


@pytest.fixture(scope="module")
def split(messages):
    """Train (60 %), validation (20 %) and test (20 %) rows, stratified by intent."""
    rows = np.arange(len(messages))
    train, rest = train_test_split(rows, test_size=0.4, random_state=0, stratify=messages["intent"])
    valid, test = train_test_split(
        rest, test_size=0.5, random_state=0, stratify=messages["intent"].iloc[rest]
    )
    return train, valid, test


@pytest.fixture(scope="module")
def intent_model(messages, split):
    train = split[0]
    return text.train_text_classifier(messages["text"].iloc[train], messages["intent"].iloc[train])


# --- classifiers on the shipped data ---------------------------------------------------------


def test_intent_macro_f1_on_held_out_messages(messages, split, intent_model):
    test = split[2]
    predicted = intent_model.predict(messages["text"].iloc[test])
    assert f1_score(messages["intent"].iloc[test], predicted, average="macro") >= 0.85


def test_intent_model_generalises_to_hidden_phrasings(messages, split, truth):
    """Trained without the hidden phrasings, it still recognises most messages written with them."""
    train, _, test = split
    hidden = truth["hidden_phrasing"]
    common_train = train[~hidden[train]]
    model = text.train_text_classifier(
        messages["text"].iloc[common_train], messages["intent"].iloc[common_train]
    )
    unseen = test[hidden[test]]
    assert len(unseen) > 40
    predicted = model.predict(messages["text"].iloc[unseen])
    assert f1_score(messages["intent"].iloc[unseen], predicted, average="macro") >= 0.70


def test_sentiment_model_clearly_beats_the_word_list(messages, split):
    train, _, test = split
    model = text.train_text_classifier(messages["text"].iloc[train], messages["sentiment"].iloc[train])
    y = messages["sentiment"].iloc[test]
    model_f1 = f1_score(y, model.predict(messages["text"].iloc[test]), average="macro")
    baseline_f1 = f1_score(y, text.wordlist_sentiment(messages["text"].iloc[test]), average="macro")
    assert model_f1 >= 0.80
    assert model_f1 >= baseline_f1 + 0.15


def test_recommended_threshold_keeps_errors_under_target_on_held_out(messages, split, intent_model):
    _, valid, test = split
    target = 0.05
    on_valid = text.predict_with_confidence(intent_model, messages["text"].iloc[valid])
    report = text.routing_report(
        messages["intent"].iloc[valid], on_valid["predicted"], on_valid["confidence"]
    )
    threshold = text.routing_threshold(report, target)
    on_test = text.predict_with_confidence(intent_model, messages["text"].iloc[test])
    automated = on_test["confidence"].to_numpy() >= threshold
    wrong = on_test["predicted"].to_numpy() != messages["intent"].iloc[test].to_numpy()
    assert automated.mean() > 0.5
    assert wrong[automated].mean() <= target


def test_hashing_path_for_large_corpora(messages, monkeypatch):
    monkeypatch.setattr(text, "LARGE_CORPUS", 1000)
    model = text.train_text_classifier(messages["text"], messages["intent"])
    assert type(model.named_steps["classifier"]).__name__ == "SGDClassifier"
    assert (model.predict(messages["text"]) == messages["intent"].to_numpy()).mean() > 0.85
    small = text.train_text_classifier(messages["text"].iloc[:500], messages["intent"].iloc[:500])
    assert type(small.named_steps["classifier"]).__name__ == "LogisticRegression"


def test_predict_with_confidence_keeps_the_index(intent_model, messages):
    sample = messages["text"].iloc[[5, 3, 9]]
    out = text.predict_with_confidence(intent_model, sample)
    assert out.index.tolist() == [5, 3, 9]
    assert out["confidence"].between(1 / 7, 1).all()
    assert set(out["predicted"]) <= set(intent_model.classes_)


def test_noise_does_not_change_the_prediction(intent_model):
    written = [
        "Je veux résilier mon abonnement",
        "JE VEUX RESILIER MON ABONNEMENT",
        "je veux resilier mon abonement",
    ]
    assert set(intent_model.predict(written)) == {"cancellation"}


# --- hand-computed routing case ----------------------------------------------------------------


Y_TRUE = ["a", "a", "b", "b", "c"]
Y_PRED = ["a", "b", "b", "a", "c"]
CONFIDENCE = [0.9, 0.6, 0.8, 0.3, 0.5]


def test_routing_report_hand_computed():
    report = text.routing_report(Y_TRUE, Y_PRED, CONFIDENCE, thresholds=[0.0, 0.5, 0.7, 0.95])
    assert report["automated"].tolist() == [5, 4, 2, 0]
    assert report["errors"].tolist() == [2, 1, 0, 0]
    assert report["automation rate"].tolist() == [1.0, 0.8, 0.4, 0.0]
    assert report["error rate"].iloc[:3].tolist() == [0.4, 0.25, 0.0]
    assert np.isnan(report["error rate"].iloc[3])
    assert report["transferred rate"].tolist() == pytest.approx([0.0, 0.2, 0.6, 1.0])
    # Wilson 95 % interval of 1 error in 4: upper end (p + z²/2n + z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    assert report["error rate high"].iloc[1] == pytest.approx(0.6994, abs=1e-3)


def test_routing_threshold_hand_computed():
    report = text.routing_report(Y_TRUE, Y_PRED, CONFIDENCE, thresholds=[0.0, 0.5, 0.7, 0.95])
    assert text.routing_threshold(report, 0.3, cautious=False) == 0.5
    assert text.routing_threshold(report, 0.1, cautious=False) == 0.7
    with pytest.raises(DataError, match="no threshold keeps"):
        text.routing_threshold(report, 0.1)  # 0 errors in 2 is not enough evidence
    with pytest.raises(DataError, match="max_error_rate"):
        text.routing_threshold(report, 5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=1, max_size=40))
def test_routing_report_laws(rows):
    right = [r for r, _ in rows]
    confidence = [c for _, c in rows]
    report = text.routing_report(["x"] * len(rows), ["x" if r else "y" for r in right], confidence)
    assert report["automation rate"].is_monotonic_decreasing
    assert (report["errors"] <= report["automated"]).all()
    assert np.allclose(report["automation rate"] + report["transferred rate"], 1)
    shown = report.dropna(subset=["error rate"])
    assert (shown["error rate high"] >= shown["error rate"] - 1e-12).all()


def test_routing_report_bad_input():
    with pytest.raises(DataError, match="between 0 and 1"):
        text.routing_report(["a"], ["a"], [1.5])
    with pytest.raises(DataError, match="confidence has 2 values"):
        text.routing_report(["a"], ["a"], [0.5, 0.4])
    with pytest.raises(DataError, match="one label per text"):
        text.routing_report(["a", "b"], ["a"], [0.5, 0.4])


# --- word list, normalisation, stop words -------------------------------------------------------


def test_word_list_baseline_and_its_blind_spots():
    out = text.wordlist_sentiment(["Service PARFAIT, merci", "colis cassé c'est NUL", "où est mon colis"])
    assert out.tolist() == ["positive", "negative", "neutral"]
    # It ignores negation: that is the baseline's known weakness.
    assert text.wordlist_sentiment(["je ne suis pas content"]).tolist() == ["positive"]


def test_normalise_texts_and_stop_words():
    assert text.normalise_texts(["Problème RÉGLÉ à Noël, cœur"]).tolist() == ["probleme regle a noel, coeur"]
    words = text.french_stop_words()
    assert {"de", "etait", "votre", "bonjour"} <= set(words)
    assert not {"pas", "ne", "jamais", "rien", "tres", "trop"} & set(words)
    assert all(w == text.normalise_texts([w])[0] for w in words)


def test_stop_words_french_none_or_own_list():
    english = ["the parcel is late", "the parcel is lost", "the invoice is wrong", "the invoice is double"]
    labels = ["delivery", "delivery", "billing", "billing"]
    own = text.top_terms(english, labels, n_terms=2, stop_words=["The", "IS"])
    assert own["top terms"].tolist() == ["invoice, double", "parcel, late"]
    french = text.top_terms(["le colis", "le colis perdu", "la facture", "la facture fausse"], labels)
    assert "le" not in french.loc["delivery", "top terms"].split(", ")
    model = text.train_text_classifier(english, labels, stop_words=None)
    words = model.named_steps["features"].transformer_list[0][1]
    assert "the" in words.vocabulary_
    assert model.predict(["my parcel"]).tolist() == ["delivery"]
    topics, topic = text.find_topics(english * 3, n_topics=2, stop_words=["the", "is"])
    assert len(topics) == 2 and topic.nunique() == 2
    for bad in ("english", 3, [1, 2]):
        with pytest.raises(DataError, match="stop_words"):
            text.top_terms(english, labels, stop_words=bad)


def test_alert_legend_is_below_the_points():
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=6, freq="D"),
                       "mood": ["ok", "ok", "bad", "ok", "bad", "bad"]})
    ax = text.plot_share_alerts(text.share_alerts(df, "date", "mood", "bad", freq="D", min_history=2))
    anchor = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.y1 < 0  # under the axes, so it cannot cover an alert point
    matplotlib.pyplot.close("all")


# --- terms, topics ------------------------------------------------------------------------------


def test_top_terms_name_each_intent(messages):
    table = text.top_terms(messages["text"], messages["intent"], n_terms=5)
    assert table.loc["billing", "top terms"].startswith("facture")
    assert "colis" in table.loc["delivery", "top terms"]
    assert "resilier" in table.loc["cancellation", "top terms"]
    assert table["messages"].sum() == len(messages)


def test_find_topics_finds_structure_the_labels_share(messages):
    topics, topic = text.find_topics(messages["text"], n_topics=7, random_state=0)
    assert list(topics.index) == [f"topic {k}" for k in range(1, 8)]
    assert topics["messages"].sum() == len(messages) == len(topic)
    # Each topic's most common intent covers far more than the largest intent's share would by chance.
    purity = pd.crosstab(topic, messages["intent"]).max(axis=1).sum() / len(messages)
    assert purity > messages["intent"].value_counts(normalize=True).max() + 0.1
    again, _ = text.find_topics(messages["text"], n_topics=7, random_state=0)
    pd.testing.assert_frame_equal(topics, again)


def test_topics_and_terms_bad_input():
    texts = ["colis pas reçu", "facture fausse", "colis perdu"]
    with pytest.raises(DataError, match="n_topics"):
        text.find_topics(texts, n_topics=3)
    with pytest.raises(DataError, match="n_terms"):
        text.top_terms(texts, ["d", "b", "d"], n_terms=0)


# --- alerts -------------------------------------------------------------------------------------


def test_share_alerts_flag_exactly_the_strike_weeks(messages, truth):
    table = text.share_alerts(messages, "date", "sentiment", "negative")
    alerts = table.loc[table["alert"], "period"]
    start, end = truth["strike"]
    assert len(alerts) >= 1
    assert ((alerts >= start) & (alerts <= end)).all()
    assert table["messages"].sum() == len(messages)


def test_share_alerts_reads_text_dates_and_leaves_the_table_alone():
    df = pd.DataFrame({"date": ["01/03/2024", "02/03/2024", "03/03/2024"], "mood": ["ok", "bad", "bad"]})
    before = df.copy()
    table = text.share_alerts(df, "date", "mood", "bad", freq="D", min_history=1)
    assert table["period"].tolist() == list(pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-03"]))
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(DataError, match="'mood' equals 'angry'"):
        text.share_alerts(df, "date", "mood", "angry")
    with pytest.raises(DataError, match="'hier', which is not a date"):
        text.share_alerts(df.assign(date=["hier", "x", "y"]), "date", "mood", "bad")
    with pytest.raises(DataError, match="Did you mean 'mood'"):
        text.share_alerts(df, "date", "moods", "bad")


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (pd.Series(["colis perdu", None, "facture"], name="text"), "column 'text' has 1 missing"),
        (["colis perdu", "  ", "facture"], "1 empty text"),
        (pd.Series([1.0, 2.0, 3.0], name="amount"), "column 'amount' holds numbers"),
        ([b"colis perdu", b"facture", b"x"], "bytes, not text"),
        (["colis perdu", 3, "facture"], "int values such as 3"),
        ("colis perdu", "not a single text"),
        (pd.DataFrame({"text": ["a", "b", "c"]}), "not a whole table"),
        ([], "no text at all"),
    ],
)
def test_bad_texts(texts, message):
    with pytest.raises(DataError, match=message):
        text.train_text_classifier(texts, ["a", "b", "a"][: len(texts)] if len(texts) else [])


def test_bad_labels_and_method():
    texts = ["colis perdu", "facture fausse", "colis en retard"]
    with pytest.raises(DataError, match="single class"):
        text.train_text_classifier(texts, ["delivery"] * 3)
    with pytest.raises(DataError, match="2 values but there are 3 texts"):
        text.train_text_classifier(texts, ["delivery", "billing"])
    with pytest.raises(DataError, match="missing label"):
        text.train_text_classifier(texts, ["delivery", None, "billing"])
    with pytest.raises(DataError, match="method"):
        text.train_text_classifier(texts, ["d", "b", "d"], method="bert")


def test_windows_encoded_file_through_read_table(tmp_path):
    """A cp1252 export (Excel on a French Windows) is decoded by read_table, accents included."""
    rows = ["text;intent"] + ["problème de facture;billing", "colis pas reçu;delivery"] * 5
    path = tmp_path / "messages.csv"
    path.write_bytes("\r\n".join(rows).encode("cp1252"))
    df = read_table(path)
    assert df["text"].iloc[0] == "problème de facture"
    before = df.copy()
    model = text.train_text_classifier(df["text"], df["intent"])
    assert model.predict(["un probleme sur ma facture"]).tolist() == ["billing"]
    pd.testing.assert_frame_equal(df, before)


def test_plots_return_axes():
    import matplotlib.pyplot as plt

    report = text.routing_report(Y_TRUE, Y_PRED, CONFIDENCE)
    ax = text.plot_routing(report, 0.1)
    assert ax.get_ylabel() == "error rate on automated answers"
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=6, freq="D"), "mood": ["ok", "bad"] * 3})
    fig, ax2 = plt.subplots()
    assert text.plot_share_alerts(text.share_alerts(df, "date", "mood", "bad", freq="D"), ax=ax2) is ax2
    plt.close("all")


# --- the kit's vocabulary: freq, level, yes/no labels, library errors said plainly ---------------


def test_share_alerts_freq_is_an_offset_alias_of_period_starts():
    df = pd.DataFrame({"date": pd.to_datetime(["2024-01-03", "2024-01-07", "2024-01-08", "2024-02-15"]),
                       "mood": ["bad", "ok", "bad", "ok"]})
    weeks = text.share_alerts(df, "date", "mood", "bad")  # default W-MON: weeks from Monday
    assert weeks["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-01-08", "2024-02-12"]))
    sundays = text.share_alerts(df, "date", "mood", "bad", freq="W")  # pandas' W = W-SUN
    assert sundays["period"].tolist() == list(pd.to_datetime(["2023-12-31", "2024-01-07", "2024-02-11"]))
    months = text.share_alerts(df, "date", "mood", "bad", freq="MS")
    assert months["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-02-01"]))
    assert months["messages"].tolist() == [3, 1] and months["flagged"].tolist() == [2, 0]
    for bad in ("month", "M", "2W", "h"):
        with pytest.raises(DataError, match=r"freq=.*W-MON.*MS"):
            text.share_alerts(df, "date", "mood", "bad", freq=bad)


def test_routing_report_interval_at_any_level():
    at_90 = text.routing_report(Y_TRUE, Y_PRED, CONFIDENCE, thresholds=[0.5], level=0.9)
    at_99 = text.routing_report(Y_TRUE, Y_PRED, CONFIDENCE, thresholds=[0.5], level=0.99)
    assert at_90.attrs["level"] == 0.9
    assert at_99["error rate low"].iloc[0] < at_90["error rate low"].iloc[0] < 0.25
    assert at_99["error rate high"].iloc[0] > at_90["error rate high"].iloc[0] > 0.25
    with pytest.raises(DataError, match="level must be a probability"):
        text.routing_report(Y_TRUE, Y_PRED, CONFIDENCE, level=95)
    ax = text.plot_routing(at_90)
    assert "90 % interval" in [t.get_text() for t in ax.get_legend().get_texts()][1]


def test_yes_no_labels_are_one_class_whatever_the_spelling():
    texts = ["il faut un conseiller", "parler a quelqu'un svp", "ou est mon colis", "suivi du colis"] * 3
    labels = ["Oui", "oui ", "NON", "non"] * 3
    model = text.train_text_classifier(texts, pd.Series(labels, name="needs a person"))
    assert model.classes_.tolist() == [False, True]
    with pytest.raises(DataError, match="needs a person"):
        text.train_text_classifier(texts, pd.Series(["Oui", "Non", None, "oui"] * 3, name="needs a person"))


def test_empty_vocabulary_is_a_data_error():
    only_stop_words = ["le la les", "et de la", "un une des", "le et la"]
    with pytest.raises(DataError, match="no word to work with"):
        text.find_topics(only_stop_words, n_topics=2)
    with pytest.raises(DataError, match="no word to work with"):
        text.top_terms(only_stop_words, ["a", "b", "a", "b"])


def test_the_public_api_speaks_the_kit_vocabulary():
    import inspect

    for name in text.__all__:
        obj = getattr(text, name)
        if not callable(obj):
            continue
        parameters = inspect.signature(obj).parameters
        if "ax" in parameters:
            ax = parameters["ax"]
            assert ax.kind is inspect.Parameter.KEYWORD_ONLY and ax.default is None, name
        if "level" in parameters:
            assert parameters["level"].default == 0.95
        if "random_state" in parameters:
            assert parameters["random_state"].default == 0
        assert not {"alpha", "unit", "seed"} & set(parameters), name
    report = text.routing_report(Y_TRUE, Y_PRED, CONFIDENCE, thresholds=[0.5])
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=6, freq="D"), "mood": ["ok", "bad"] * 3})
    for frame in (report, text.share_alerts(df, "date", "mood", "bad", freq="D")):
        for column in frame.columns:
            assert column == column.lower() and "_" not in column, column


def test_routing_report_counts_messages_that_needed_a_person_as_failures():
    truth, predicted, confidence = ["a", "a", "b", "b"], ["a", "b", "b", "b"], [0.9, 0.6, 0.8, 0.4]
    plain = text.routing_report(truth, predicted, confidence, thresholds=[0.5])
    assert plain["errors"].tolist() == [1]
    needed = pd.Series(["Oui", "non", " OUI", "Non"], name="besoin humain")
    report = text.routing_report(truth, predicted, confidence, thresholds=[0.5], needs_person=needed)
    assert report["errors"].tolist() == [3]  # the wrong class, and two right classes that needed a person
    with pytest.warns(mlmarketing.DataWarning, match="counted as not needing a person"):
        report = text.routing_report(truth, predicted, confidence, thresholds=[0.5],
                                     needs_person=[True, None, False, False])
    assert report["errors"].tolist() == [2]
    with pytest.raises(DataError, match="needs_person has 2 values"):
        text.routing_report(truth, predicted, confidence, needs_person=[True, False])
    with pytest.raises(DataError, match="peut-etre"):
        text.routing_report(truth, predicted, confidence, needs_person=["oui", "non", "peut-etre", "non"])


# --- the fast TF-IDF counting is scikit-learn's, to the last bit -------------------------------

_FAST_OPTIONS = [
    {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True,
     "stop_words": ["le", "la", "pas"], "token_pattern": text.TOKEN_PATTERN},
    {"analyzer": "word", "ngram_range": (2, 3), "max_df": 0.5},
    {"analyzer": "word", "min_df": 0.2},
    {"analyzer": "char_wb", "ngram_range": (2, 4), "min_df": 2, "sublinear_tf": True},
    {"analyzer": "char_wb", "ngram_range": (1, 3)},
]
_WORDS = st.sampled_from(["le", "la", "pas", "colis", "recu", "ok", "a", "é", "très", "facture", "xx"])
_SPACES = st.sampled_from([" ", "  ", "\t", " \n "])
_TEXTS = st.lists(st.lists(st.tuples(_WORDS, _SPACES), min_size=1, max_size=8).map(
    lambda pairs: "".join(w + s for w, s in pairs)), min_size=1, max_size=12)


def _same_table(a, b) -> bool:
    return a.shape == b.shape and all(np.array_equal(getattr(a, f), getattr(b, f)) for f in
                                      ("indptr", "indices", "data"))


@settings(max_examples=60, deadline=None)
@given(train=_TEXTS, later=_TEXTS, options=st.sampled_from(_FAST_OPTIONS))
def test_fast_tfidf_is_scikit_learns_table_vocabulary_and_order(train, later, options):
    from sklearn.feature_extraction.text import TfidfVectorizer

    plain, fast = TfidfVectorizer(lowercase=False, **options), text._FastTfidf(lowercase=False, **options)
    try:
        expected = plain.fit_transform(train)
    except ValueError as error:  # nothing left: the same error, in the same words
        with pytest.raises(ValueError, match=str(error)[:20]):
            fast.fit_transform(train)
        return
    got = fast.fit_transform(train)
    # Same values, same column order and the same order inside each row (the row norms and the
    # solver's sums depend on it), hence the same model.
    assert _same_table(got, expected)
    assert list(fast.vocabulary_.items()) == list(plain.vocabulary_.items())
    assert _same_table(fast.transform(later), plain.transform(later))


@pytest.mark.parametrize("options", _FAST_OPTIONS)
def test_fast_tfidf_is_scikit_learns_on_real_messages(messages, options):
    from sklearn.feature_extraction.text import TfidfVectorizer

    train, later = text.normalise_texts(messages["text"].iloc[:400]), messages["text"].iloc[400:600]
    plain, fast = TfidfVectorizer(lowercase=False, **options), text._FastTfidf(lowercase=False, **options)
    assert _same_table(fast.fit_transform(train), plain.fit_transform(train))
    assert list(fast.vocabulary_.items()) == list(plain.vocabulary_.items())
    assert _same_table(fast.transform(later), plain.transform(later))


def test_fast_tfidf_path_is_the_one_used_and_the_classifier_unchanged(messages, monkeypatch):
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts, intents = messages["text"].iloc[:600], messages["intent"].iloc[:600]
    fast = text.train_text_classifier(texts, intents)
    calls = []
    monkeypatch.setattr(text._FastTfidf, "_word_terms", lambda self, docs: calls.append(docs) or 1 / 0)
    with pytest.raises(ZeroDivisionError):  # scikit-learn calls the fast counting
        text.train_text_classifier(texts, intents)
    assert calls
    monkeypatch.undo()
    monkeypatch.setattr(text, "_FastTfidf", TfidfVectorizer)
    plain = text.train_text_classifier(texts, intents)
    np.testing.assert_array_equal(fast.named_steps["classifier"].coef_, plain.named_steps["classifier"].coef_)
    np.testing.assert_array_equal(fast.predict_proba(messages["text"].iloc[600:900]),
                                  plain.predict_proba(messages["text"].iloc[600:900]))


_TRICKY = ["l'ami_du 2e étage", "x2 a_b __ c'est-à-dire", "re-re-livré!!  ok?", "ŒUVRE œuvre", "a é i",
           "https://exemple.fr/a_b?x=1 #colis @sav", "12 34 5 six", "l'ami du 2e étage"]


@pytest.mark.parametrize("options", [{"analyzer": "word", "ngram_range": (1, 2)},
                                     {"analyzer": "word", "ngram_range": (1, 3), "min_df": 2},
                                     {"analyzer": "char_wb", "ngram_range": (1, 5)},
                                     {"analyzer": "word", "max_features": 6, "max_df": 0.9},
                                     {"analyzer": "char_wb", "ngram_range": (2, 4), "max_features": 30}])
def test_fast_tfidf_is_scikit_learns_on_punctuation_digits_and_underscores(options):
    """Pieces that are not one plain word (l'ami, a_b, URLs) are cut by the token pattern itself."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    plain, fast = TfidfVectorizer(lowercase=False, **options), text._FastTfidf(lowercase=False, **options)
    assert _same_table(fast.fit_transform(_TRICKY), plain.fit_transform(_TRICKY))
    assert list(fast.vocabulary_.items()) == list(plain.vocabulary_.items())
    assert _same_table(fast.transform(_TRICKY[::-1]), plain.transform(_TRICKY[::-1]))


def test_fast_tfidf_long_character_ngrams_of_many_letters_are_scikit_learns():
    """n-grams too long to number in 64 bits (many letters, up to 12 of them) are cut one by one."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    letters = "abcdefghijklmnopqrstuvwxyz0123456789éèàùç"
    texts = [" ".join(letters[i:] + letters[:i] for i in range(k, 41, 7)) for k in range(6)] + ["a bc"]
    options = {"analyzer": "char_wb", "ngram_range": (3, 12), "min_df": 2}
    plain, fast = TfidfVectorizer(lowercase=False, **options), text._FastTfidf(lowercase=False, **options)
    calls = []
    one_by_one = text._FastTfidf._char_terms_one_by_one
    fast._char_terms_one_by_one = lambda *args: calls.append(1) or one_by_one(fast, *args)
    assert _same_table(fast.fit_transform(texts), plain.fit_transform(texts))
    assert calls  # the fallback was the one used
    assert list(fast.vocabulary_.items()) == list(plain.vocabulary_.items())


def test_character_ngrams_are_added_on_request_only(messages):
    texts, intents = messages["text"].iloc[:300], messages["intent"].iloc[:300]
    words = text.train_text_classifier(texts, intents)
    both = text.train_text_classifier(texts, intents, characters=True)
    assert [name for name, _ in words.named_steps["features"].transformer_list] == ["words"]
    assert [name for name, _ in both.named_steps["features"].transformer_list] == ["words", "characters"]
    # The words are the same in both: the n-grams only add columns.
    assert words.named_steps["features"].transformer_list[0][1].vocabulary_ == \
        both.named_steps["features"].transformer_list[0][1].vocabulary_
    assert both.named_steps["classifier"].coef_.shape[1] > words.named_steps["classifier"].coef_.shape[1]
