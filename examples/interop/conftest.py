"""Fixtures of the interop suite: the main job's output folders.

The suite reads what `go run ./examples/export` writes with the readers our
users run (pyarrow, pandas, polars, DuckDB, Spark, LibreOffice) and compares
every value with dataset.json. .ci/interop makes the folders once and passes
them in:

    SOURCED_EXPORT_BIN  the built main job (go build -o BIN ./examples/export)
    SOURCED_OUT_SEED    its output for the seed dataset
    SOURCED_OUT_SYNTH   its output for -synthetic 20000 -hostile

Without them, `pytest examples/interop` builds the main job and runs it into
temporary folders itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from expected import Output

REPO = Path(__file__).resolve().parents[2]
SYNTHETIC_EVENTS = 20000


def pytest_configure(config):
    config.addinivalue_line("markers", "spark: needs pyspark and a Java runtime")
    config.addinivalue_line("markers", "libreoffice: needs LibreOffice (soffice) on PATH")
    # pyspark 4.3 warns about pandas 3 on start; the suite uses no pandas API of Spark's.
    config.addinivalue_line("filterwarnings", "ignore:PySpark does not yet fully support pandas:FutureWarning")


def run(cmd, **kw):
    """Runs cmd, failing the test with its output when it fails."""
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if p.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


@pytest.fixture(scope="session")
def export_bin(tmp_path_factory) -> Path:
    """The main job, built once."""
    if b := os.environ.get("SOURCED_EXPORT_BIN"):
        return Path(b)
    if not shutil.which("go"):
        pytest.skip("go not found: set SOURCED_EXPORT_BIN and the SOURCED_OUT_* folders, or install Go")
    b = tmp_path_factory.mktemp("bin") / "export"
    run(["go", "build", "-o", b, "./examples/export"], cwd=REPO, timeout=600)
    return b


def _output(request, tmp_path_factory, name, env, args) -> Output:
    if d := os.environ.get(env):
        return Output(name, Path(d))
    bin_ = request.getfixturevalue("export_bin")
    d = tmp_path_factory.mktemp(name)
    run([bin_, "-out", d, *args], timeout=300)
    return Output(name, d)


@pytest.fixture(scope="session")
def seed(request, tmp_path_factory) -> Output:
    """The main job's output for the embedded seed dataset."""
    return _output(request, tmp_path_factory, "seed", "SOURCED_OUT_SEED", [])


@pytest.fixture(scope="session")
def synth(request, tmp_path_factory) -> Output:
    """The main job's output for 20000 synthetic events with hostile text."""
    return _output(request, tmp_path_factory, "synth", "SOURCED_OUT_SYNTH",
                   ["-synthetic", SYNTHETIC_EVENTS, "-hostile"])


@pytest.fixture(params=["seed", "synth"])
def out(request) -> Output:
    """Each output folder in turn."""
    return request.getfixturevalue(request.param)


# A small dataset, passed to the main job with -in, whose text a spreadsheet
# would run as formulas, and whose values trip readers' guesses: Namibia's
# country code NA, a year both uncertain and approximate (1995%), Korean with
# a line break, negative coordinates.
CRAFTED = {
    "schema": "sourced/1",
    "name": "interop-crafted",
    "title": "Hostile cells for spreadsheets",
    "license": "CC0-1.0",
    "version": "1.0.0",
    "updated": "2026-11-25",
    "events": [
        {
            "id": f"crafted-{i}",
            "title": title,
            "summary": "무인기 시험 발사.\n=1+1 on the second line",
            "kind": "statement",
            "status": "reported",
            "start": start,
            **({"place": place} if place else {}),
            "actors": [{"name": "=cmd|' /C calc'!A0", "role": "@role"}, {"name": "북한"}],
            "tags": ["+tag", "-tag", "무인기|미사일"],
            "notes": notes,
            "sources": [{
                "publisher": "Yonhap", "kind": "wire", "title": "-2+3 연합뉴스",
                "url": "https://example.org/" + str(i), "published": start, "language": "ko",
                "quote": "@SUM(1,2)", "grading": "B2",
            }],
        }
        for i, (title, start, place, notes) in enumerate([
            ('=HYPERLINK("https://example.org","click")', "2024-11-14", None, "=1+2"),
            ("+82 무인기 발사 시험", "2024-11", {"name": "Windhoek", "country": "NA",
                                           "location": {"lat": -22.5609, "lon": 17.0658},
                                           "geo_precision": "locality"}, "+1"),
            ("-1 미사일", "1995%", {"name": "평양", "country": "KP"}, "-1"),
            ("@SUM(1,2)", "2024-11-14?", None, "@cmd"),
            ("\t=1+1 after a tab", "2024~", None, "\r=1+1 after a carriage return"),
            ("  =1+1 after blanks", "2023-02", None, "'quoted already"),
        ])
    ],
}


@pytest.fixture(scope="session")
def crafted_json(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("crafted-in") / "crafted.json"
    p.write_text(json.dumps(CRAFTED, ensure_ascii=False, indent=2), encoding="utf-8")
    return p


@pytest.fixture(scope="session")
def crafted(export_bin, crafted_json, tmp_path_factory) -> Output:
    """The main job's output for CRAFTED, read with -in."""
    d = tmp_path_factory.mktemp("crafted")
    run([export_bin, "-in", crafted_json, "-out", d], timeout=120)
    return Output("crafted", d)


@pytest.fixture(scope="session")
def crafted_raw(export_bin, crafted_json, tmp_path_factory) -> Path:
    """CRAFTED as CSV written with -raw-csv, without the formula guard."""
    d = tmp_path_factory.mktemp("crafted-raw")
    run([export_bin, "-in", crafted_json, "-out", d, "-formats", "csv", "-raw-csv"], timeout=120)
    return d


@pytest.fixture(params=["seed", "synth", "crafted"])
def csv_out(request) -> Output:
    """Each output folder in turn, with the crafted one for the CSV tests."""
    return request.getfixturevalue(request.param)


def _java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin", "java"))))


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """The one local Spark session of the run: one core, small, no UI, on loopback."""
    if not _java():
        pytest.skip("no Java runtime (java on PATH or JAVA_HOME): pyspark needs one, "
                    "e.g. apt-get install openjdk-17-jre-headless")
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    # Spark binds to the first non-loopback address otherwise, where a
    # sandboxed network made the first query wait three minutes.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("sourced-interop")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "512m")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        # A JVM that lives a minute: the quick compiler alone, one GC thread.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.local.dir", str(tmp_path_factory.mktemp("spark")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
