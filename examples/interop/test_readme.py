"""The README's snippets for opening our files, run as written on the seed output.

Each snippet reads ./out, the main job's default folder, and is the text the
README shows; the test runs it in a folder whose out/ is the seed output and
checks what it made.
"""

import datetime as dt
import os
from pathlib import Path

import pytest

PANDAS = """
import pandas as pd

events = pd.read_feather("out/events.arrow")        # kind, status, country...: category
events["start_date"] = pd.to_datetime(events["start_date"])  # date32 comes as datetime.date
citations = events[["id", "sources"]].explode("sources")     # one row per source
# Only empty cells are missing: pandas would read Namibia's code NA as NaN.
table = pd.read_csv("out/events.csv", keep_default_na=False, na_values=[""])
"""

PYARROW = """
import pyarrow.csv
import pyarrow.ipc

table = pyarrow.ipc.open_file("out/events.arrow").read_all()
version = table.schema.metadata[b"sourced.version"].decode()
# Cells may hold line breaks: pyarrow's CSV reader needs to be told.
csv = pyarrow.csv.read_csv("out/events.csv",
                           parse_options=pyarrow.csv.ParseOptions(newlines_in_values=True))
"""

POLARS = """
import polars as pl

events = pl.read_ipc("out/events.arrow")  # or read_ipc_stream("out/events.arrows"), read_parquet(...)
per_year = events.group_by(pl.col("start_date").dt.year().alias("year")).len().sort("year")
citations = events.select("id", "sources").explode("sources").unnest("sources")
"""

DUCKDB = """
import duckdb

per_year = duckdb.sql(\"\"\"
    SELECT year, kind, count(*) AS events
    FROM read_parquet('out/parquet/*/*.parquet', hive_partitioning = true)
    GROUP BY ALL ORDER BY ALL\"\"\").fetchall()
# A column empty on every row (no coordinates) would sniff as VARCHAR: name the types.
csv = duckdb.sql(\"\"\"
    SELECT * FROM read_csv('out/events.csv', types = {'lat': 'DOUBLE', 'lon': 'DOUBLE'})\"\"\")
"""

SPARK = """
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
events = spark.read.parquet("out/parquet")  # one folder per year: adds the column year
per_year = events.groupBy("year").count().orderBy("year").collect()
"""


@pytest.fixture
def in_readme_folder(seed, tmp_path, monkeypatch):
    (tmp_path / "out").symlink_to(seed.dir, target_is_directory=True)
    monkeypatch.chdir(tmp_path)


def run(snippet: str) -> dict:
    ns: dict = {}
    exec(compile(snippet, "<README snippet>", "exec"), ns)
    return ns


def test_pandas(in_readme_folder, seed):
    ns = run(PANDAS)
    assert str(ns["events"]["start_date"].dtype).startswith("datetime64")
    assert str(ns["events"]["kind"].dtype) == "category"
    assert len(ns["citations"]) == sum(len(e["sources"]) for e in seed.events)
    assert len(ns["table"]) == len(seed.events)


def test_pyarrow(in_readme_folder, seed):
    ns = run(PYARROW)
    assert ns["version"] == seed.data["version"]
    assert ns["csv"].num_rows == ns["table"].num_rows == len(seed.events)


def test_polars(in_readme_folder, seed):
    ns = run(POLARS)
    assert dict(ns["per_year"].iter_rows()) == dict(seed.years)
    assert ns["citations"].height == sum(len(e["sources"]) for e in seed.events)


def test_duckdb(in_readme_folder, seed):
    ns = run(DUCKDB)
    assert sum(n for _, _, n in ns["per_year"]) == len(seed.events)
    types = dict(zip(ns["csv"].columns, map(str, ns["csv"].types)))
    assert (types["lat"], types["start_date"]) == ("DOUBLE", "DATE")


@pytest.mark.spark
def test_spark(spark, in_readme_folder, seed):
    # Spark's JVM resolves relative paths against the folder it started in,
    # not the test's: give it the folder by its full path.
    ns = run(SPARK.replace('"out/', f'"{os.getcwd()}/out/'))
    assert ns["spark"] is spark
    assert {r["year"]: r["count"] for r in ns["per_year"]} == dict(seed.years)
    first = ns["events"].orderBy("start_date").first()
    assert isinstance(first["start_date"], dt.date)


@pytest.mark.parametrize("name", ["PANDAS", "PYARROW", "POLARS", "DUCKDB", "SPARK"])
def test_readme_shows_the_snippet(name):
    # The README shows these snippets word for word, so what it promises is
    # what this file runs.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert globals()[name].strip("\n") in readme
