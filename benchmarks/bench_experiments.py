"""Scale budget of mlmarketing.experiments: bandit replays of large campaigns."""

from __future__ import annotations

from mlmarketing.experiments import simulate_bandit
from mlmarketing.simulate import planted_truth

RATES = planted_truth("campaign")["conversion_rate"]


def thompson_200_campaigns() -> None:
    simulate_bandit(RATES, 100_000, "thompson sampling", n_campaigns=200, random_state=0)


def three_policies_200_campaigns() -> None:
    simulate_bandit(
        RATES, 100_000, ["fixed", "epsilon", "thompson"], n_campaigns=200, random_state=0
    )


BENCHMARKS = [
    ("simulate_bandit thompson, 200 campaigns x 100,000 emails", 10.0, thompson_200_campaigns),
    ("simulate_bandit 3 policies, 200 x 100,000 emails", 10.0, three_policies_200_campaigns),
]
