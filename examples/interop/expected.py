"""What each file of the main job must hold, computed from dataset.json.

dataset.json is the canonical file, the truth; every other file is a view
of it. This module turns its events into the rows that the Arrow and Parquet
files (one row per event, the columns of export/arrow_schema.go) and the CSV
files (the columns of export.EventColumns and export.SourceColumns) must
give back, and compares what a reader returns with them, field by field.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
from collections import Counter
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa

# --- EDTF dates ---------------------------------------------------------------

_EDTF = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([?~%]?)")


def _parse(text: str):
    m = _EDTF.fullmatch(text)
    if not m:
        raise ValueError(f"not an EDTF date of the kind sourced writes: {text!r}")
    y, mo, d, _ = m.groups()
    return int(y), mo and int(mo), d and int(d)


def precision(text: str) -> str:
    """The precision of an EDTF date: year, month or day."""
    _, mo, d = _parse(text)
    return "day" if d else "month" if mo else "year"


def first_day(text: str) -> dt.date:
    """The first day that an EDTF date covers."""
    y, mo, d = _parse(text)
    return dt.date(y, mo or 1, d or 1)


def last_day(text: str) -> dt.date:
    """The last day that an EDTF date covers."""
    y, mo, d = _parse(text)
    if d:
        return dt.date(y, mo, d)
    mo = mo or 12
    return dt.date(y, mo, calendar.monthrange(y, mo)[1])


# --- derived counts, as package timeline defines them ---------------------------


def publishers(ev: dict) -> list[str]:
    seen, out = set(), []
    for s in ev["sources"]:
        p = s["publisher"].strip()
        if p and p.lower() not in seen:
            seen.add(p.lower())
            out.append(p)
    return out


def independent_publishers(ev: dict) -> int:
    seen = set()
    for s in ev["sources"]:
        if s["kind"] == "state_media" or s.get("via", "").strip():
            continue
        k = s["publisher"].strip().lower()
        if k:
            seen.add(k)
    return len(seen)


# --- the Arrow / Parquet row ----------------------------------------------------

ACTOR_TYPE = pa.struct([pa.field("name", pa.string(), nullable=False), pa.field("role", pa.string())])
SOURCE_TYPE = pa.struct(
    [pa.field("publisher", pa.string(), nullable=False), pa.field("kind", pa.string(), nullable=False)]
    + [pa.field(n, pa.date32() if n.endswith("_date") else pa.string())
       for n in ("via", "title", "url", "published", "published_date", "accessed", "accessed_date",
                 "language", "quote", "grading")]
)
DICT = pa.dictionary(pa.int32(), pa.string())


def _list(t):
    return pa.list_(pa.field("item", t, nullable=False))


# The schema that export/arrow_schema.go documents, field by field.
ARROW_SCHEMA = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("title", pa.string(), nullable=False),
    pa.field("summary", pa.string()),
    pa.field("kind", DICT, nullable=False),
    pa.field("status", DICT, nullable=False),
    pa.field("start", pa.string()),
    pa.field("start_date", pa.date32()),
    pa.field("start_precision", DICT),
    pa.field("end", pa.string()),
    pa.field("end_date", pa.date32()),
    pa.field("end_precision", DICT),
    pa.field("place_name", pa.string()),
    pa.field("country", DICT),
    pa.field("lat", pa.float64()),
    pa.field("lon", pa.float64()),
    pa.field("geo_precision", DICT),
    pa.field("actors", _list(ACTOR_TYPE), nullable=False),
    pa.field("tags", _list(pa.string()), nullable=False),
    pa.field("related", _list(pa.string()), nullable=False),
    pa.field("notes", pa.string()),
    pa.field("sources", _list(SOURCE_TYPE), nullable=False),
    pa.field("source_count", pa.int32(), nullable=False),
    pa.field("publisher_count", pa.int32(), nullable=False),
    pa.field("independent_publishers", pa.int32(), nullable=False),
])
DICTIONARY_COLUMNS = [f.name for f in ARROW_SCHEMA if pa.types.is_dictionary(f.type)]
ARROW_COLUMNS = ARROW_SCHEMA.names


def _or_none(v):
    return v if v not in ("", None) else None


def arrow_row(ev: dict) -> dict:
    """The row of events.arrow (and .arrows, .parquet) for one JSON event."""
    place = ev.get("place", {})
    loc = place.get("location")
    end = ev.get("end")
    return {
        "id": ev["id"],
        "title": ev["title"],
        "summary": _or_none(ev.get("summary")),
        "kind": ev["kind"],
        "status": ev["status"],
        "start": ev["start"],
        "start_date": first_day(ev["start"]),
        "start_precision": precision(ev["start"]),
        "end": _or_none(end),
        "end_date": last_day(end) if end else last_day(ev["start"]),
        "end_precision": precision(end) if end else None,
        "place_name": _or_none(place.get("name")),
        "country": _or_none(place.get("country")),
        "lat": loc["lat"] if loc else None,
        "lon": loc["lon"] if loc else None,
        "geo_precision": _or_none(place.get("geo_precision")),
        "actors": [{"name": a["name"], "role": _or_none(a.get("role"))} for a in ev.get("actors", [])],
        "tags": list(ev.get("tags", [])),
        "related": list(ev.get("related", [])),
        "notes": _or_none(ev.get("notes")),
        "sources": [_arrow_source(s) for s in ev["sources"]],
        "source_count": len(ev["sources"]),
        "publisher_count": len(publishers(ev)),
        "independent_publishers": independent_publishers(ev),
    }


def _arrow_source(s: dict) -> dict:
    pub, acc = s.get("published"), s.get("accessed")
    return {
        "publisher": s["publisher"],
        "kind": s["kind"],
        "via": _or_none(s.get("via")),
        "title": _or_none(s.get("title")),
        "url": _or_none(s.get("url")),
        "published": _or_none(pub),
        "published_date": first_day(pub) if pub else None,
        "accessed": _or_none(acc),
        "accessed_date": first_day(acc) if acc else None,
        "language": _or_none(s.get("language")),
        "quote": _or_none(s.get("quote")),
        "grading": _or_none(s.get("grading")),
    }


# --- the CSV cells --------------------------------------------------------------

FORMULA_START = "=+-@"


def is_formula(s: str) -> bool:
    """Whether the CSV writer guards s with a leading ' (export/csv.go isFormula)."""
    if not s:
        return False
    if s.endswith("%") and re.fullmatch(r"\d*\.?\d*", s[:-1]) and any(c.isdigit() for c in s[:-1]):
        return True  # Calc would read 1995% as a percentage
    if s[0] in "=+-@\t\r\n'":
        return True
    return s.lstrip(" \t\r\n")[:1] in tuple(FORMULA_START)


def runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet could run a cell, read back as text, as a formula."""
    if not cell or cell.startswith("'"):
        return False
    return cell[0] in "=+-@\t\r" or cell.lstrip(" \t\r\n")[:1] in tuple(FORMULA_START)


def guard(s: str) -> str:
    return "'" + s if is_formula(s) else s


def unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def join_list(items) -> str:
    return "|".join(i.replace("\\", "\\\\").replace("|", "\\|") for i in items)


def number_cell(x: float) -> str:
    # Go's strconv.FormatFloat(x, 'f', -1, 64): the shortest decimal that
    # reads back as x, never in exponent form.
    return np.format_float_positional(x, unique=True, trim="-")


def csv_event_cells(ev: dict) -> dict:
    """The cells of the event's row of events.csv, as a CSV parser returns them."""
    r = arrow_row(ev)
    roles = [a.get("role", "") for a in ev.get("actors", [])]
    end = ev.get("end")
    t = lambda v: guard(v or "")  # noqa: E731
    return {
        "id": t(ev["id"]),
        "title": t(ev["title"]),
        "summary": t(ev.get("summary")),
        "kind": t(ev["kind"]),
        "status": t(ev["status"]),
        "start": t(ev["start"]),
        "end": t(end),
        "start_date": r["start_date"].isoformat(),
        "end_date": (last_day(end) if end else last_day(ev["start"])).isoformat(),
        "precision": r["start_precision"],
        "place_name": t(r["place_name"]),
        "country": t(r["country"]),
        "lat": number_cell(r["lat"]) if r["lat"] is not None else "",
        "lon": number_cell(r["lon"]) if r["lon"] is not None else "",
        "geo_precision": t(r["geo_precision"]),
        "actors": t(join_list(a["name"] for a in ev.get("actors", []))),
        "actor_roles": t(join_list(roles)) if any(roles) else "",
        "tags": t(join_list(r["tags"])),
        "related": t(join_list(r["related"])),
        "notes": t(r["notes"]),
        "source_count": str(r["source_count"]),
        "publisher_count": str(r["publisher_count"]),
        "independent_publishers": str(r["independent_publishers"]),
    }


def csv_source_cells(event_id: str, s: dict) -> dict:
    """The cells of one row of sources.csv."""
    g = s.get("grading", "")
    pub = s.get("published")
    t = lambda v: guard(v or "")  # noqa: E731
    return {
        "event_id": t(event_id),
        "publisher": t(s["publisher"]),
        "kind": t(s["kind"]),
        "via": t(s.get("via")),
        "title": t(s.get("title")),
        "url": t(s.get("url")),
        "published": t(pub),
        "published_date": first_day(pub).isoformat() if pub else "",
        "accessed": t(s.get("accessed")),
        "language": t(s.get("language")),
        "quote": t(s.get("quote")),
        "grading": g,
        "reliability": g[:1],
        "credibility": g[1:],
    }


# --- one output folder of the main job ------------------------------------------------


class Output:
    """A folder written by the main job, with what its files must hold."""

    def __init__(self, name: str, path: Path):
        self.name = name
        self.dir = Path(path)
        self.data = json.loads((self.dir / "dataset.json").read_text(encoding="utf-8"))
        self.events = self.data["events"]

    def __repr__(self):
        return f"Output({self.name!r}, {str(self.dir)!r})"

    def path(self, name: str) -> Path:
        return self.dir / name

    @cached_property
    def rows(self) -> dict[str, dict]:
        """The expected Arrow row of every event, by ID."""
        return {ev["id"]: arrow_row(ev) for ev in self.events}

    @cached_property
    def csv_events(self) -> dict[str, dict]:
        return {ev["id"]: csv_event_cells(ev) for ev in self.events}

    @cached_property
    def csv_sources(self) -> list[dict]:
        """The expected rows of sources.csv, in the order of dataset.json."""
        return [csv_source_cells(ev["id"], s) for ev in self.events for s in ev["sources"]]

    @cached_property
    def years(self) -> Counter:
        """Events per year of their start: the partitions of parquet/."""
        return Counter(int(ev["start"][:4]) for ev in self.events)

    @cached_property
    def metadata(self) -> dict[str, str]:
        """The schema metadata that the Arrow and Parquet files must carry."""
        d = self.data
        return {
            "sourced.schema": d["schema"],
            "sourced.name": d["name"],
            "sourced.title": d.get("title", ""),
            "sourced.description": d.get("description", ""),
            "sourced.license": d.get("license", ""),
            "sourced.version": d.get("version", ""),
            "sourced.updated": d.get("updated", ""),
        }

    @cached_property
    def datapackage(self) -> dict:
        return json.loads((self.dir / "datapackage.json").read_text(encoding="utf-8"))

    def csv_types(self, resource: str) -> dict[str, str]:
        """Column name to Frictionless type (string, date, number, integer)."""
        for r in self.datapackage["resources"]:
            if r["name"] == resource:
                return {f["name"]: f["type"] for f in r["schema"]["fields"]}
        raise KeyError(resource)

    @cached_property
    def hangul_events(self) -> int:
        return sum(1 for ev in self.events if has_hangul(json.dumps(ev, ensure_ascii=False)))


def has_hangul(s: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" for c in s)


# --- comparing what a reader gives with the truth ----------------------------------


def py(v):
    """A reader's value as plain Python: lists, dicts, str, int, float, date, None."""
    if v is None:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, (str, bool, int, dt.date)):
        return v
    if isinstance(v, dict):
        return {k: py(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [py(x) for x in v]
    if isinstance(v, np.generic):
        return py(v.item())
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return v


def compare_rows(reader: str, got: list[dict], want: dict[str, dict], columns=None, limit=10):
    """Compares rows from a reader with the expected rows, by ID, field by field.

    It fails with a list of the first differences, each naming the event,
    the column and both values.
    """
    columns = columns or ARROW_COLUMNS
    ids = [r["id"] for r in got]
    dup = [i for i, n in Counter(ids).items() if n > 1]
    assert not dup, f"{reader}: duplicate IDs {dup[:5]}"
    missing = set(want) - set(ids)
    extra = set(ids) - set(want)
    assert not missing and not extra, (
        f"{reader}: {len(missing)} events missing (e.g. {sorted(missing)[:3]}), "
        f"{len(extra)} unexpected (e.g. {sorted(extra)[:3]})")
    diffs = []
    for r in got:
        w = want[r["id"]]
        for c in columns:
            g = py(r.get(c, _MISSING))
            if g != w[c]:
                diffs.append(f"  event {r['id']!r} column {c!r}: got {g!r:.200}, want {w[c]!r:.200}")
                if len(diffs) >= limit:
                    break
        if len(diffs) >= limit:
            break
    assert not diffs, f"{reader}: values differ from dataset.json:\n" + "\n".join(diffs)


_MISSING = object()
