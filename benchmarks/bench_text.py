"""Scale budget of mlmarketing.text (issue: customer satisfaction, notebook 03-01).

train_text_classifier on 1,000,000 French messages (intent, 7 classes) must finish in under
60 s. Above LARGE_CORPUS messages the helper takes its scalable path (hashed word n-grams and a
stochastic-gradient logistic regression). The messages are simulated when this file is loaded
(about 1 minute), so that the timing covers the training only.
"""

from __future__ import annotations

from mlmarketing.simulate.messages import FILE, simulate_messages
from mlmarketing.text import LARGE_CORPUS, train_text_classifier

N_MESSAGES = 1_000_000
TABLE = simulate_messages(n_messages=N_MESSAGES, random_state=1).tables[FILE]
assert len(TABLE) >= N_MESSAGES > LARGE_CORPUS
TEXTS, INTENTS = TABLE["text"].iloc[:N_MESSAGES], TABLE["intent"].iloc[:N_MESSAGES]


def train_intent_classifier_on_a_million_messages() -> None:
    model = train_text_classifier(TEXTS, INTENTS)
    assert (model.predict(TEXTS.iloc[:10_000]) == INTENTS.iloc[:10_000].to_numpy()).mean() > 0.85


BENCHMARKS = [
    (
        "train_text_classifier, 1,000,000 messages, 7 intents",
        60.0,
        train_intent_classifier_on_a_million_messages,
    ),
]
