"""The same table on every engine: helpers for tests/test_engines*.py.

``engine_inputs(df, tmp_path)`` gives one pandas DataFrame as a Polars DataFrame and LazyFrame, a
DuckDB relation and a Parquet file (written by DuckDB, so pyarrow is not needed), each holding the
same values with the same column types.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def as_polars(df: pd.DataFrame):
    import polars as pl

    columns = {}
    for name in df.columns:
        values = df[name]
        if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(values):
            texts = values.astype(object).where(values.notna(), None).tolist()
            columns[name] = pl.Series(name, texts, dtype=pl.String)
        elif pd.api.types.is_extension_array_dtype(values) and values.isna().any():
            # Nullable integers: their missing values are nulls, as in a Parquet file.
            columns[name] = pl.Series(name, values.astype(object).where(values.notna(), None).tolist())
        else:
            columns[name] = pl.Series(name, values.to_numpy())
    return pl.DataFrame(columns)


def engine_inputs(df: pd.DataFrame, tmp_path: Path) -> dict[str, object]:
    import duckdb

    plain = df.copy()
    for name in plain.columns:
        if isinstance(plain[name].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(plain[name]):
            plain[name] = plain[name].astype(object)
    # On DuckDB's default connection, which lives as long as the process: before DuckDB 1.4 a
    # relation did not keep its own connection open, so one made here would close on return.
    relation = duckdb.from_df(plain)
    path = tmp_path / "table.parquet"
    relation.write_parquet(str(path))
    frame = as_polars(df)
    return {"polars": frame, "polars lazy": frame.lazy(), "duckdb": relation, "parquet path": str(path)}


def as_spark(spark, df: pd.DataFrame):
    """A Spark DataFrame with the same values (dates as timestamps, missing values as nulls)."""
    from pyspark.sql import types

    fields, columns = [], []
    for name in df.columns:
        values = df[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            kind = types.TimestampNTZType()
            column = [None if pd.isna(v) else v.to_pydatetime() for v in values]
        elif pd.api.types.is_bool_dtype(values):
            kind, column = types.BooleanType(), [bool(v) for v in values]
        elif pd.api.types.is_integer_dtype(values):
            kind, column = types.LongType(), [int(v) for v in values]
        elif pd.api.types.is_float_dtype(values):
            kind, column = types.DoubleType(), [None if np.isnan(v) else float(v) for v in values]
        else:
            kind, column = types.StringType(), [None if pd.isna(v) else str(v) for v in values]
        fields.append(types.StructField(str(name), kind, True))
        columns.append(column)
    return spark.createDataFrame(list(zip(*columns, strict=True)), types.StructType(fields))
