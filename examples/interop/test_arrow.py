"""events.arrow (IPC file) and events.arrows (IPC stream) in pyarrow, pandas and polars."""

import datetime as dt

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from expected import ARROW_SCHEMA, DICTIONARY_COLUMNS, compare_rows, has_hangul


def _check_schema(schema: pa.Schema, out):
    assert schema.equals(ARROW_SCHEMA, check_metadata=False), (
        f"schema differs from export/arrow_schema.go:\n{schema}\n--- want ---\n{ARROW_SCHEMA}")
    md = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
    assert md == out.metadata
    for name in DICTIONARY_COLUMNS:
        t = schema.field(name).type
        assert pa.types.is_dictionary(t), name
        assert t.index_type == pa.int32(), f"{name}: indices {t.index_type}, want int32"
        assert t.value_type == pa.string(), name


def test_pyarrow_open_file(out):
    with ipc.open_file(out.path("events.arrow")) as r:
        _check_schema(r.schema, out)
        assert r.num_record_batches >= 1
        table = r.read_all()
    assert table.num_rows == len(out.events)
    compare_rows("pyarrow.ipc.open_file", table.to_pylist(), out.rows)


def test_pyarrow_open_stream(out):
    with ipc.open_stream(out.path("events.arrows")) as r:
        _check_schema(r.schema, out)
        table = r.read_all()
    assert table.num_rows == len(out.events)
    compare_rows("pyarrow.ipc.open_stream", table.to_pylist(), out.rows)


def test_dictionaries_are_the_same_in_every_batch(out):
    # The IPC file format allows one dictionary per field: the writer puts the
    # whole vocabulary in every batch, so a category's code never changes.
    with ipc.open_file(out.path("events.arrow")) as r:
        first = {}
        for i in range(r.num_record_batches):
            b = r.get_batch(i)
            for name in DICTIONARY_COLUMNS:
                d = b.column(name).dictionary
                assert first.setdefault(name, d).equals(d), f"{name}: dictionary of batch {i} differs"


def test_pandas_read_feather(out):
    df = pd.read_feather(out.path("events.arrow"))
    assert len(df) == len(out.events)
    # Categories for the dictionary columns, with the whole vocabulary.
    for name in DICTIONARY_COLUMNS:
        assert isinstance(df[name].dtype, pd.CategoricalDtype), f"{name}: {df[name].dtype}"
    assert {"weapons_test", "incursion", "statement"} <= set(df["kind"].cat.categories)
    # date32 comes out as Python datetime.date objects (dtype object), which
    # is pandas' default for date32; pd.to_datetime makes them datetime64.
    for name in ("start_date", "end_date"):
        assert df[name].dtype == object, f"{name}: {df[name].dtype}"
        assert all(isinstance(v, dt.date) for v in df[name].dropna())
    assert str(pd.to_datetime(df["start_date"]).dtype).startswith("datetime64")
    assert df["lat"].dtype == "float64" and df["source_count"].dtype == "int32"
    # Lists come out as arrays, sources as arrays of dicts.
    first = df["sources"].iloc[0]
    assert len(first) >= 1 and all(isinstance(s, dict) for s in first)
    assert isinstance(first[0]["published_date"], (dt.date, type(None)))
    compare_rows("pandas.read_feather", df.to_dict("records"), out.rows)


def test_pandas_keeps_korean(synth):
    df = pd.read_feather(synth.path("events.arrow"))
    by_id = df.set_index("id")
    korean = [ev for ev in synth.events if has_hangul(ev["title"])]
    assert len(korean) > 1000, "the synthetic dataset should hold Korean titles"
    for ev in korean:
        assert by_id.at[ev["id"], "title"] == ev["title"]


def test_pandas_pyarrow_backend(seed):
    # dtype_backend="pyarrow" keeps every Arrow type as it is.
    df = pd.read_feather(seed.path("events.arrow"), dtype_backend="pyarrow")
    assert str(df["start_date"].dtype) == "date32[day][pyarrow]"
    assert str(df["kind"].dtype).startswith("dictionary<values=string, indices=int32")


@pytest.mark.parametrize("reader", ["read_ipc", "read_ipc_stream"])
def test_polars_ipc(out, reader):
    path = out.path("events.arrow" if reader == "read_ipc" else "events.arrows")
    df = getattr(pl, reader)(path)
    assert df.height == len(out.events)
    for name in DICTIONARY_COLUMNS:
        assert df.schema[name] == pl.Categorical, f"{name}: {df.schema[name]}"
    assert df.schema["start_date"] == pl.Date and df.schema["end_date"] == pl.Date
    assert df.schema["lat"] == pl.Float64
    assert df.schema["sources"].inner.to_schema()["published_date"] == pl.Date
    compare_rows(f"polars.{reader}", df.to_dicts(), out.rows)
