"""Scale budget of mlmarketing.segmentation (issue: market identification and targeting).

segment_customers on 1,000,000 customers x 10 behaviour columns of the target generator (with
its missing values and outliers), 5 segments, must finish in under 10 seconds: filling, capping,
scaling, K-Means (3 starts) and the sampled silhouette included. The table is simulated when this
file is loaded, so that the timing covers segment_customers only.
"""

from __future__ import annotations

from mlmarketing.segmentation import segment_customers
from mlmarketing.simulate.target import FILE, simulate_target

N_CUSTOMERS = 1_000_000
FEATURES = [
    "sessions_90d",
    "minutes_on_site_90d",
    "pages_per_session",
    "add_to_cart_90d",
    "cart_abandonment_rate",
    "email_opens_90d",
    "email_clicks_90d",
    "days_since_last_visit",
    "orders_12m",
    "mobile_share",
]
TABLE = simulate_target(n_customers=N_CUSTOMERS, random_state=1).tables[FILE][FEATURES]
assert TABLE.shape == (N_CUSTOMERS, 10)


def segment_a_million_customers() -> None:
    result = segment_customers(TABLE, FEATURES, n_segments=5, random_state=0)
    assert result.method == "kmeans" and len(result.labels) == N_CUSTOMERS


BENCHMARKS = [
    ("segment_customers, 1,000,000 x 10", 10.0, segment_a_million_customers),
]
