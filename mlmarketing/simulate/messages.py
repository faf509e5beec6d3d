"""A French company's customer messages (``03-01-Messages.csv``), slide "Améliorer la satisfaction client".

An online shop receives messages by chat, e-mail and store reviews, written the way customers
write: spelling mistakes, abbreviations (``svp``, ``pb``, ``cdt``), missing accents, mixed case.
Each message has an intent (why the customer writes), a sentiment, whether a human had to step
in, and whether the customer left in the 90 days that followed.

How a message is composed: an optional greeting, a core sentence from the intent's templates
(with slots filled from shared vocabulary), an optional sentence that carries the sentiment, an
optional second topic, an optional closing, then noise. Each intent also has a few **hidden
phrasings**: templates used for only a small share of the messages (``truth["hidden_phrasing"]``),
so that a model trained on the others can be tested on sentences it has never seen. A few
**vague** messages ("j'ai une question") say nothing of their intent: no model can classify them.

Planted truth: the intent and sentiment mix, a few mislabelled messages (annotators disagree),
a carrier strike in March that triples delivery messages and makes them angrier, the probability
that a human steps in, and the churn probability (highest for angry cancellation threats).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from mlmarketing.simulate._core import Simulation, rng

FILE = "03-01-Messages.csv"

INTENTS = ["billing", "delivery", "technical", "cancellation", "product_question", "complaint", "praise"]
INTENT_SHARES = [0.17, 0.20, 0.16, 0.09, 0.16, 0.10, 0.12]
SENTIMENTS = ["negative", "neutral", "positive"]
# P(negative, neutral, positive) given the intent.
SENTIMENT_GIVEN_INTENT = {
    "billing": (0.50, 0.45, 0.05),
    "delivery": (0.50, 0.44, 0.06),
    "technical": (0.50, 0.45, 0.05),
    "cancellation": (0.60, 0.38, 0.02),
    "product_question": (0.05, 0.80, 0.15),
    "complaint": (0.95, 0.05, 0.00),
    "praise": (0.00, 0.03, 0.97),
}
CHANNELS = ["chat", "email", "review"]
CHANNEL_GIVEN_INTENT = {
    "billing": (0.45, 0.50, 0.05),
    "delivery": (0.55, 0.35, 0.10),
    "technical": (0.60, 0.35, 0.05),
    "cancellation": (0.40, 0.58, 0.02),
    "product_question": (0.70, 0.25, 0.05),
    "complaint": (0.35, 0.35, 0.30),
    "praise": (0.15, 0.10, 0.75),
}
# Share of labels an annotator got wrong (replaced by another label at random).
INTENT_LABEL_NOISE = 0.03
SENTIMENT_LABEL_NOISE = 0.04
# Probability that a message uses one of its intent's hidden phrasings.
HIDDEN_PHRASING_RATE = 0.08
# The carrier strike: delivery messages are three times as many, and angrier.
STRIKE = (pd.Timestamp("2024-03-11"), pd.Timestamp("2024-03-24"))
STRIKE_EXTRA_DELIVERY = 2.0
STRIKE_NEGATIVE_SHARE = 0.85
FIRST_DAY, N_DAYS = pd.Timestamp("2024-01-01"), 182
# Probability that a human had to step in: by intent, plus an extra when the customer is angry.
HUMAN_BY_INTENT = {
    "billing": 0.20,
    "delivery": 0.10,
    "technical": 0.35,
    "cancellation": 0.60,
    "product_question": 0.05,
    "complaint": 0.45,
    "praise": 0.01,
}
HUMAN_IF_NEGATIVE = 0.20
# Probability that the customer left in the next 90 days.
CHURN_BASE = 0.04
CHURN_IF_NEGATIVE = 0.06
CHURN_CANCELLATION = 0.18
CHURN_ANGRY_CANCELLATION = 0.45  # replaces the two above for cancellation + negative

VOCAB = {
    "produit": [
        "le casque",
        "l'aspirateur",
        "la machine à café",
        "le téléphone",
        "la tablette",
        "les écouteurs",
        "la montre connectée",
        "l'imprimante",
        "la télé",
        "le robot cuiseur",
        "la trottinette",
        "l'ordinateur portable",
    ],
    "commande": ["ma commande", "mon colis", "ma livraison", "le colis", "ma commande n°{num}"],
    "duree": ["trois semaines", "10 jours", "15 jours", "un mois", "une semaine", "5 jours", "deux semaines"],
    "montant": ["49,90 €", "12 euros", "129 €", "35 €", "89,99 euros", "19,99 €", "240 €"],
    "abonnement": [
        "mon abonnement",
        "mon abonnement premium",
        "mon contrat",
        "la carte fidélité",
        "mon forfait",
    ],
    "panne": [
        "ne s'allume plus",
        "ne se connecte pas au wifi",
        "s'éteint tout seul",
        "fait un bruit bizarre",
        "ne charge plus",
        "affiche un message d'erreur",
        "plante sans arrêt",
        "ne reconnait pas le bluetooth",
    ],
    "appli": ["l'application", "le site", "mon espace client", "l'appli", "votre site internet"],
    "question": [
        "est-il compatible avec un iphone",
        "existe-t-il en noir",
        "quelle est la garantie",
        "est-ce qu'il fonctionne sur batterie",
        "quelles sont les dimensions",
        "est-il livré avec un chargeur",
        "est-ce qu'il est lavable",
        "combien de temps dure la batterie",
    ],
}

# Core sentences by intent: the common phrasings, then the hidden ones (used rarely).
TEMPLATES = {
    "billing": (
        [
            "j'ai été prélevé deux fois pour {commande}",
            "ma facture de {montant} ne correspond pas à ma commande",
            "pouvez-vous m'envoyer la facture de {commande}",
            "je ne comprends pas le montant de {montant} sur ma facture",
            "le remboursement de {montant} n'apparait toujours pas sur mon compte",
            "vous m'avez facturé {montant} en trop",
            "le paiement par carte a été refusé mais l'argent a été débité",
            "j'attends le remboursement de {commande} depuis {duree}",
            "erreur de facturation sur {abonnement}",
        ],
        [
            "je conteste le prélèvement de {montant} sur ma facture",
            "ma banque me signale un paiement de {montant} en double",
            "le montant facturé pour {abonnement} a augmenté sans prévenir",
        ],
    ),
    "delivery": (
        [
            "{commande} n'est toujours pas arrivée",
            "où en est {commande} ? le suivi ne bouge plus depuis {duree}",
            "le livreur n'est jamais passé pour {commande}",
            "{commande} est indiquée livrée mais je n'ai rien reçu",
            "quand vais-je recevoir {commande}",
            "le colis est arrivé abîmé, {produit} est cassé",
            "la livraison était prévue il y a {duree}",
            "il manque un article dans {commande}",
            "le transporteur a perdu {commande}",
        ],
        [
            "mon paquet n'est pas livré, le suivi indique toujours en cours",
            "le point relais n'a jamais reçu {commande}",
            "aucune nouvelle de la livraison de {commande} depuis {duree}",
        ],
    ),
    "technical": (
        [
            "{produit} {panne}",
            "depuis la mise à jour {produit} {panne}",
            "{produit} acheté il y a {duree} {panne}",
            "impossible de me connecter à {appli}",
            "{appli} affiche une erreur quand je valide mon panier",
            "j'ai un problème avec {produit}, il {panne}",
            "le mot de passe ne fonctionne pas sur {appli}",
            "{produit} est en panne, comment faire marcher la garantie",
            "la notice n'explique pas comment installer {produit}",
        ],
        [
            "rien ne se passe quand j'allume {produit}, il {panne}",
            "bug sur {appli} : impossible de valider",
            "{produit} ne marche plus du tout après {duree}",
        ],
    ),
    "cancellation": (
        [
            "je veux résilier {abonnement}",
            "merci de résilier {abonnement} dès aujourd'hui",
            "comment annuler {abonnement}",
            "je souhaite me désabonner et fermer mon compte",
            "je vais résilier {abonnement} si rien ne change",
            "annulez {commande} s'il vous plaît",
            "je ne veux plus de {abonnement}, arrêtez les prélèvements",
            "je compte partir chez un concurrent et résilier {abonnement}",
            "résiliation de {abonnement} à effet immédiat",
        ],
        [
            "fin de {abonnement} souhaitée, merci de ne plus me prélever",
            "je veux arrêter {abonnement} et être remboursé du mois en cours",
            "je ne renouvellerai pas {abonnement}, clôturez mon compte",
        ],
    ),
    "product_question": (
        [
            "{produit} {question} ?",
            "bonjour, {question} ? je parle de {produit}",
            "avant d'acheter {produit} je voudrais savoir : {question} ?",
            "est-ce que {produit} est disponible en magasin",
            "quelle différence entre {produit} et le modèle pro",
            "{produit} sera-t-il de nouveau en stock",
            "je cherche un conseil pour choisir {produit}",
            "quelles sont les caractéristiques de {produit}",
            "y a-t-il une promotion prévue sur {produit}",
        ],
        [
            "{produit} existe en version pro ? {question} ?",
            "pouvez-vous me renseigner sur {produit} : {question}",
            "j'hésite à acheter {produit}, {question} ?",
        ],
    ),
    "complaint": (
        [
            "votre service client ne répond jamais au téléphone",
            "personne ne répond à mes mails depuis {duree}",
            "le vendeur en magasin a été désagréable",
            "on me renvoie d'un service à l'autre sans solution",
            "c'est la troisième fois que j'écris pour le même problème",
            "votre conseiller m'a raccroché au nez",
            "j'ai attendu une heure au téléphone pour rien",
            "vos promesses ne sont jamais tenues",
            "le chat me répond à côté de la question",
        ],
        [
            "impossible de joindre le service client, personne ne décroche",
            "votre conseiller ne m'a jamais rappelé malgré ses promesses",
            "j'ai écrit {duree} de suite au service client sans réponse",
        ],
    ),
    "praise": (
        [
            "merci pour la livraison rapide de {commande}",
            "{produit} fonctionne parfaitement",
            "très bon accueil en magasin",
            "le conseiller a réglé mon problème en cinq minutes",
            "je recommande votre boutique à tous mes amis",
            "{produit} est conforme à la description",
            "service client au top",
            "commande reçue en {duree}, rien à redire",
            "merci à l'équipe pour sa gentillesse",
        ],
        [
            "un grand bravo pour {commande}, reçue en {duree}",
            "{produit} est vraiment génial, je suis ravie",
            "le service client a été parfait, problème réglé",
        ],
    ),
}

# Sentences that carry the sentiment; the neutral ones are politeness that word lists misread.
SENTIMENT_PHRASES = {
    "negative": [
        "c'est inadmissible",
        "je suis très déçu",
        "je ne suis pas du tout satisfait",
        "c'est scandaleux",
        "service nul",
        "j'en ai marre",
        "je suis furieux",
        "c'est honteux",
        "quelle galère",
        "je ne suis pas content",
        "c'est la dernière fois que je commande chez vous",
        "vous vous moquez de moi",
        "ça fait trop longtemps que ça dure",
        "inacceptable",
        "je n'ai jamais vu ça",
        "pas sérieux du tout",
        "je perds patience",
    ],
    "neutral": [
        "merci d'avance",
        "je reste disponible si besoin",
        "pouvez-vous me répondre rapidement",
        "merci de me tenir au courant",
        "dans l'attente de votre réponse",
        "j'ai besoin d'une réponse",
        "",
        "",
        "",
        "",
    ],
    "positive": [
        "merci beaucoup",
        "super",
        "je suis très satisfait",
        "excellent service",
        "parfait",
        "je ne suis pas déçu",
        "vraiment top",
        "continuez comme ça",
        "très content",
        "c'est un plaisir",
        "rien à dire, c'est parfait",
        "génial",
    ],
}
GREETINGS = ["bonjour", "bonjour,", "bonsoir", "hello", "madame, monsieur,", "salut", "", "", ""]
CLOSINGS = ["cordialement", "merci", "bonne journée", "à bientôt", "", "", "", "", "cordialement."]
ABBREVIATIONS = {
    "s'il vous plaît": "svp",
    "problème": "pb",
    "cordialement": "cdt",
    "bonjour": "bjr",
    "beaucoup": "bcp",
    "toujours": "tjrs",
    "pourquoi": "pk",
    "quand": "qd",
    "aujourd'hui": "auj",
    "rendez-vous": "rdv",
    "téléphone": "tel",
    "commande": "cmd",
    "merci": "mrc",
}
SECOND_TOPIC_RATE = 0.12
# Vague messages say nothing of their intent until a person asks: no model can classify them.
VAGUE_RATE = 0.05
VAGUE = [
    "j'ai un souci avec {commande}",
    "pouvez-vous me rappeler",
    "j'ai besoin d'aide",
    "j'ai une question",
    "c'est au sujet de {commande}",
    "rappelez-moi au plus vite",
]
SECOND_TOPIC = {
    "billing": "et au passage ma facture est fausse",
    "delivery": "et en plus la livraison était en retard",
    "technical": "par ailleurs l'appli bugue",
    "product_question": "et est-ce que vous avez des housses",
    "complaint": "et personne ne répond au téléphone",
}


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(word: str, gen: np.random.Generator) -> str:
    i = int(gen.integers(1, len(word) - 1))
    kind = gen.integers(3)
    if kind == 0:  # swap two neighbours
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 1:  # drop a letter
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double a letter


def _noisy(text: str, sentiment: str, gen: np.random.Generator) -> str:
    """Abbreviations, typos, missing accents and mixed case, as customers type."""
    if gen.random() < 0.35:
        for long, short in ABBREVIATIONS.items():
            if long in text and gen.random() < 0.6:
                text = text.replace(long, short)
    words = text.split(" ")
    for k, word in enumerate(words):
        if len(word) >= 5 and word.isalpha() and gen.random() < 0.05:
            words[k] = _typo(word, gen)
    text = " ".join(words)
    if gen.random() < 0.35:
        text = _strip_accents(text)
    case = gen.random()
    if case < (0.12 if sentiment == "negative" else 0.03):
        text = text.upper()
    elif case < 0.6:
        text = text[:1].upper() + text[1:]
    if sentiment == "negative" and gen.random() < 0.3:
        text += " !!!" if gen.random() < 0.5 else "!!"
    return text


def _fill(template: str, gen: np.random.Generator) -> str:
    def pick(match: re.Match) -> str:
        options = VOCAB[match.group(1)]
        return options[int(gen.integers(len(options)))]

    text = re.sub(r"\{(\w+)\}", pick, template)
    return text.replace("{num}", str(int(gen.integers(100000, 999999))))


def _join(*parts: str) -> str:
    kept = [p for p in parts if p]
    return " ".join(kept).replace(" ,", ",")


def simulate_messages(n_messages: int = 4000, random_state: int = 20240311) -> Simulation:
    """Simulate six months of a French online shop's customer messages.

    Parameters
    ----------
    n_messages : int, default 4000
        Number of messages outside the carrier strike; the strike adds about 7 % more.
    random_state : int, default 20240311
        Seed; the default gives the shipped ``03-01-Messages.csv``.

    Returns
    -------
    Simulation
        ``tables["03-01-Messages.csv"]`` and ``truth`` with ``hidden_phrasing`` (per row: the
        core sentence is one of the rarely used phrasings), ``true_intent`` and
        ``true_sentiment`` (per row, before annotators' mistakes), ``churn_probability``
        (per row), ``strike`` (first and last day), the shares and rates planted, and
        ``templates`` (the intent's common and hidden phrasings).

    Examples
    --------
    >>> sim = simulate_messages(n_messages=200)
    >>> sim.tables["03-01-Messages.csv"].columns.tolist()[:4]
    ['message_id', 'date', 'channel', 'text']
    """
    gen = rng(random_state)
    days = FIRST_DAY + pd.to_timedelta(np.arange(N_DAYS), unit="D")
    weights = np.where(days.day_of_week < 5, 1.0, 0.6)
    day = gen.choice(N_DAYS, size=n_messages, p=weights / weights.sum())
    intent = gen.choice(len(INTENTS), size=n_messages, p=INTENT_SHARES)
    in_strike = (days >= STRIKE[0]) & (days <= STRIKE[1])
    strike_days = np.flatnonzero(in_strike)
    expected_delivery = n_messages * INTENT_SHARES[1] * in_strike.sum() / N_DAYS
    n_extra = int(gen.poisson(expected_delivery * STRIKE_EXTRA_DELIVERY))
    day = np.concatenate([day, gen.choice(strike_days, size=n_extra)])
    intent = np.concatenate([intent, np.full(n_extra, 1)])
    n = len(day)

    sentiment = np.empty(n, dtype=int)
    for k, name in enumerate(INTENTS):
        rows = np.flatnonzero(intent == k)
        sentiment[rows] = gen.choice(3, size=len(rows), p=SENTIMENT_GIVEN_INTENT[name])
    strike_delivery = (intent == 1) & in_strike[day]
    angry = gen.random(n) < STRIKE_NEGATIVE_SHARE
    sentiment[strike_delivery] = np.where(angry[strike_delivery], 0, sentiment[strike_delivery])
    channel = np.empty(n, dtype=int)
    for k, name in enumerate(INTENTS):
        rows = np.flatnonzero(intent == k)
        channel[rows] = gen.choice(3, size=len(rows), p=CHANNEL_GIVEN_INTENT[name])

    hidden = gen.random(n) < HIDDEN_PHRASING_RATE
    vague = (gen.random(n) < VAGUE_RATE) & ~hidden
    texts = []
    for i in range(n):
        name, mood = INTENTS[intent[i]], SENTIMENTS[sentiment[i]]
        common, rare = TEMPLATES[name]
        pool = rare if hidden[i] else common
        if vague[i]:
            pool = VAGUE
        core = _fill(pool[int(gen.integers(len(pool)))], gen)
        feeling = SENTIMENT_PHRASES[mood][int(gen.integers(len(SENTIMENT_PHRASES[mood])))]
        if mood == "positive" and name != "praise" and gen.random() < 0.5:
            feeling = ""  # a glad customer with a question does not always say so
        greeting = GREETINGS[int(gen.integers(len(GREETINGS)))]
        closing = CLOSINGS[int(gen.integers(len(CLOSINGS)))]
        second = ""
        if gen.random() < SECOND_TOPIC_RATE:
            others = [t for key, t in SECOND_TOPIC.items() if key != name]
            second = others[int(gen.integers(len(others)))]
        if gen.random() < 0.5:
            text = _join(greeting, core, second + ("," if second else ""), feeling, closing)
        else:
            text = _join(greeting, feeling + ("," if feeling else ""), core, second, closing)
        texts.append(_noisy(text.strip(" ,"), mood, gen))

    true_intent, true_sentiment = intent.copy(), sentiment.copy()
    flip = gen.random(n) < INTENT_LABEL_NOISE
    intent = np.where(flip, (intent + gen.integers(1, len(INTENTS), size=n)) % len(INTENTS), intent)
    flip = gen.random(n) < SENTIMENT_LABEL_NOISE
    sentiment = np.where(flip, (sentiment + gen.integers(1, 3, size=n)) % 3, sentiment)

    negative = true_sentiment == 0
    p_human = np.array([HUMAN_BY_INTENT[INTENTS[k]] for k in true_intent]) + HUMAN_IF_NEGATIVE * negative
    human = gen.random(n) < p_human
    cancellation = true_intent == INTENTS.index("cancellation")
    p_churn = np.full(n, CHURN_BASE) + CHURN_IF_NEGATIVE * negative + CHURN_CANCELLATION * cancellation
    p_churn = np.where(cancellation & negative, CHURN_ANGRY_CANCELLATION, p_churn)
    churned = gen.random(n) < p_churn

    order = np.lexsort((gen.random(n), day))
    table = pd.DataFrame(
        {
            "message_id": [f"M{i:05d}" for i in range(1, n + 1)],
            "date": days[day[order]],
            "channel": np.array(CHANNELS)[channel[order]],
            "text": np.array(texts, dtype=object)[order],
            "intent": np.array(INTENTS)[intent[order]],
            "sentiment": np.array(SENTIMENTS)[sentiment[order]],
            "human_needed": human[order],
            "churned_90d": churned[order],
        }
    )
    truth = {
        "hidden_phrasing": hidden[order],
        "vague": vague[order],
        "true_intent": np.array(INTENTS)[true_intent[order]],
        "true_sentiment": np.array(SENTIMENTS)[true_sentiment[order]],
        "churn_probability": p_churn[order],
        "strike": STRIKE,
        "intent_shares": dict(zip(INTENTS, INTENT_SHARES, strict=True)),
        "sentiment_given_intent": dict(SENTIMENT_GIVEN_INTENT),
        "intent_label_noise": INTENT_LABEL_NOISE,
        "sentiment_label_noise": SENTIMENT_LABEL_NOISE,
        "hidden_phrasing_rate": HIDDEN_PHRASING_RATE,
        "vague_rate": VAGUE_RATE,
        "templates": {k: {"common": list(v[0]), "hidden": list(v[1])} for k, v in TEMPLATES.items()},
    }
    return Simulation(tables={FILE: table}, truth=truth)
