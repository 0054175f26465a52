"""events.parquet and the partitioned parquet/ folder in pyarrow, polars, DuckDB and Spark."""

from collections import Counter

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from expected import ARROW_COLUMNS, ARROW_SCHEMA, compare_rows


def _duckdb_rows(con, sql):
    rel = con.sql(sql)
    cols = rel.columns
    return [dict(zip(cols, r)) for r in rel.fetchall()], dict(zip(cols, map(str, rel.types)))


def _loose(t: pa.DataType) -> pa.DataType:
    """t with list items renamed "item" and nullable: Parquet calls them
    "element", and pqarrow writes them optional."""
    if pa.types.is_list(t):
        return pa.list_(_loose(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _loose(f.type), f.nullable) for f in t])
    return t


def test_parquet_schema_and_metadata(out):
    # pqarrow stores the Arrow schema, so dictionary types come back.
    schema = pq.read_schema(out.path("events.parquet"))
    assert schema.names == ARROW_SCHEMA.names
    for got, want in zip(schema, ARROW_SCHEMA):
        assert _loose(got.type) == _loose(want.type), f"{got.name}: {got.type}, want {want.type}"
        assert got.nullable == want.nullable, got.name
    md = {k.decode(): v.decode() for k, v in schema.metadata.items() if not k.startswith(b"ARROW:")}
    assert md == out.metadata
    assert pq.ParquetFile(out.path("events.parquet")).metadata.num_rows == len(out.events)


def test_pyarrow_read_table(out):
    t = pq.read_table(out.path("events.parquet"))
    compare_rows("pyarrow.parquet.read_table", t.to_pylist(), out.rows)


def test_polars_read_parquet(out):
    df = pl.read_parquet(out.path("events.parquet"))
    assert df.height == len(out.events)
    assert df.schema["kind"] == pl.Categorical and df.schema["start_date"] == pl.Date
    compare_rows("polars.read_parquet", df.to_dicts(), out.rows)


def test_duckdb_read_parquet(out):
    con = duckdb.connect()
    rows, types = _duckdb_rows(con, f"SELECT * FROM read_parquet('{out.path('events.parquet')}')")
    assert types["start_date"] == "DATE" and types["lat"] == "DOUBLE" and types["kind"] == "VARCHAR"
    assert types["source_count"] == "INTEGER"
    assert types["sources"].startswith("STRUCT(publisher VARCHAR, kind VARCHAR")
    compare_rows("duckdb.read_parquet", rows, out.rows)


def _partition_files(out):
    return sorted(out.path("parquet").glob("year=*/part-0.parquet"))


def test_partition_layout(out):
    years = {int(p.parent.name.removeprefix("year=")) for p in _partition_files(out)}
    assert years == set(out.years)


def test_duckdb_hive_partitions(out):
    con = duckdb.connect()
    glob = f"{out.path('parquet')}/*/*.parquet"
    rows, types = _duckdb_rows(con, f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
    assert types["year"] in ("BIGINT", "INTEGER"), types["year"]
    assert Counter(r["year"] for r in rows) == out.years
    assert all(r["year"] == r["start_date"].year for r in rows)
    compare_rows("duckdb.read_parquet(hive_partitioning)", rows, out.rows)
    per_year = con.sql(f"SELECT year, count(*) FROM read_parquet('{glob}', hive_partitioning = true) "
                       "GROUP BY year").fetchall()
    assert dict(per_year) == dict(out.years)


def test_pyarrow_dataset_hive(out):
    # pyarrow.dataset skips _common_metadata (names starting with "_").
    t = pads.dataset(out.path("parquet"), format="parquet", partitioning="hive").to_table()
    assert Counter(t.column("year").to_pylist()) == out.years
    compare_rows("pyarrow.dataset(hive)", t.to_pylist(), out.rows)


# --- Spark (the session is the spark fixture of conftest.py) ---


@pytest.mark.spark
def test_spark_partitions(spark, out):
    df = spark.read.parquet(str(out.path("parquet")))
    types = dict(df.dtypes)
    assert types["year"] == "int"
    assert types["start_date"] == "date" and types["lat"] == "double" and types["kind"] == "string"
    assert types["sources"].startswith("array<struct<publisher:string,kind:string")
    assert list(df.columns) == ARROW_COLUMNS + ["year"]
    counts = {r["year"]: r["count"] for r in df.groupBy("year").count().collect()}
    assert counts == dict(out.years)
    ids = Counter((r["year"], r["id"]) for r in df.select("year", "id").collect())
    assert ids == Counter((int(ev["start"][:4]), ev["id"]) for ev in out.events)
