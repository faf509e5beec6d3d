"""The aggregation helpers on a local Spark session: the same tables as on pandas.

A local session stands in for a cluster. Without pyspark (the extra ``mlmarketing[spark]``) or
Java 17 these tests are skipped, so a student's ``python course.py test`` passes; ``.ci/run``
installs both and sets ``MLMARKETING_REQUIRE_SPARK=1``, which turns the skip into a failure.
The tables are small: the session's start-up is most of the time.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from mlmarketing import DataError, DataWarning, load_dataset
from tests.engines import as_spark

pytestmark = pytest.mark.spark


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -r requirements-spark.lock, or mlmarketing[spark])"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java found (Debian: apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="module")
def spark():
    reason = _missing()
    if reason is not None:
        if os.environ.get("MLMARKETING_REQUIRE_SPARK") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with warnings.catch_warnings():
        # pyspark warns at import that it does not fully support pandas 3; the kit never uses
        # pyspark's pandas conversions (results come back as rows).
        warnings.simplefilter("ignore", FutureWarning)
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[1]").appName("mlmarketing-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    table = load_dataset("transactions")[["customer_id", "date", "amount"]].head(1500).copy()
    table.loc[5, "amount"] = np.nan
    return table


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, rtol=1e-9, atol=1e-9, check_index_type=False)


def test_customer_value_tables_are_the_same_on_spark(spark, transactions):
    from mlmarketing.clv import describe_transactions, rfm_table, summary_from_transactions

    frame = as_spark(spark, transactions)
    calls = [
        lambda d: rfm_table(d, "customer_id", "date", "amount"),
        lambda d: summary_from_transactions(d, "customer_id", "date", "amount", as_of="2023-06-30",
                                            calibration_end="2023-03-31"),
        lambda d: describe_transactions(d, "customer_id", "date", "amount"),
    ]
    for call in calls:
        with pytest.warns(DataWarning, match="1 of 1,500 rows left out: no amount"):
            expected = call(transactions)
        with pytest.warns(DataWarning, match="1 of 1,500 rows left out: no amount"):
            _same(call(frame), expected)


def test_a_missing_column_in_a_spark_frame_names_the_fix(spark, transactions):
    from mlmarketing.clv import rfm_table

    frame = as_spark(spark, transactions)
    with pytest.raises(DataError, match="'amout' is not a column of the table. Did you mean 'amount'"):
        rfm_table(frame, "customer_id", "date", "amout")


def test_media_kpis_and_long_tail_are_the_same_on_spark(spark):
    from mlmarketing.media import media_kpis
    from mlmarketing.recommend import long_tail

    media = load_dataset("media").astype({"channel": object, "season": object}).head(400)
    media = media[["channel", "season", "spend", "impressions", "clicks", "total_conversions",
                   "total_revenue"]]
    media["clicks"] = media["clicks"].astype(float)
    frame = as_spark(spark, media)

    def kpis(d):
        return media_kpis(d, ["channel", "season"], conversions="total_conversions", revenue="total_revenue")

    _same(kpis(frame), kpis(media))
    purchases = load_dataset("purchases")[["product_id"]].astype(object).head(3000)
    _same(long_tail(as_spark(spark, purchases)), long_tail(purchases))


def test_funnel_and_cohorts_are_the_same_on_spark(spark):
    from mlmarketing.experiments import funnel_report
    from mlmarketing.survival import cohort_retention

    campaign = load_dataset("campaign")[["creative", "delivered", "opened_at", "clicked_at"]].head(2000)
    campaign = campaign.astype({"creative": object})
    steps = ["delivered", "opened_at", "clicked_at"]
    _same(funnel_report(as_spark(spark, campaign), "creative", steps),
          funnel_report(campaign, "creative", steps))
    accounts = load_dataset("cloud_services")[["signup_date", "end_date"]].head(1500)
    _same(cohort_retention(as_spark(spark, accounts), "signup_date", "end_date", as_of="2024-12-31"),
          cohort_retention(accounts, "signup_date", "end_date", as_of="2024-12-31"))
