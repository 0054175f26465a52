#!/usr/bin/env python3
"""Times the main job against pandas, pyarrow and polars on the same files.

Each conversion runs as a whole child process, timed from start to exit
(wall clock), with its peak resident memory and CPU time taken from
os.wait4 for that child alone. The median of --runs runs is reported;
the tools take turns within each round so that a noisy machine slows
them alike.

The input is what the main job writes for `-synthetic N -formats
json,csv,arrow` (run.sh makes it): dataset.json, events.csv, sources.csv,
datapackage.json and events.arrow in one folder. The conversions:

  json2csv       dataset.json -> events.csv + sources.csv
  json2arrow     dataset.json -> one Arrow IPC file, zstd
  csv2arrow      events.csv + sources.csv -> Arrow IPC, zstd
  arrow2parquet  events.arrow -> Parquet, zstd

What each side does (see RESULTS.md for the differences that matter):

  ours     the main job binary: -in <input> -formats <csv|arrow|parquet>.
           JSON input is decoded strictly and validated as a whole, once;
           CSV input streams
           events.csv and sources.csv in step and nests the sources into
           each event; every file is written atomically (temp file, fsync,
           rename). CSV output is events.csv + sources.csv +
           datapackage.json, with derived columns and the formula guard;
           Arrow and Parquet hold one row per event with dates as date32,
           dictionary columns and sources as list<struct>.
  pandas   json.load, pd.json_normalize (events, and sources with
           record_path), to_csv / to_feather; read_csv, read_feather,
           to_parquet.
  pyarrow  json.load, pa.array (one struct per event), flatten and
           list_flatten, pyarrow.csv.write_csv / feather.write_feather;
           pyarrow.csv.read_csv (newlines_in_values), feather.read_table,
           pq.write_table.
  polars   pl.read_json, explode and unnest, write_csv / write_ipc;
           read_csv, read_ipc, write_parquet.

For CSV the peers write the same two tables (events with lists joined by
'|', and one row per source keyed by event id) without our derived
columns, formula guard or descriptor. For CSV to Arrow the peers write the
two tables as two flat Arrow files; we join them into one nested file.
Python children pay for the interpreter and imports (the "import only"
rows measure that).

    python3 examples/bench/peers.py --data DIR --export BIN [--runs 3]
        [--json results.json] [--markdown table.md]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

CONVERSIONS = [
    ("json2csv", "JSON to CSV"),
    ("json2arrow", "JSON to Arrow"),
    ("csv2arrow", "CSV to Arrow"),
    ("arrow2parquet", "Arrow to Parquet"),
]
PEERS = ["pandas", "pyarrow", "polars"]
TOOLS = ["ours"] + PEERS


# --- the peers' conversions, run in a child process ------------------------


def load_events(data):
    with open(os.path.join(data, "dataset.json"), encoding="utf-8") as f:
        return json.load(f)["events"]


def pandas_json2csv(data, out):
    import pandas as pd

    events = load_events(data)
    ev = pd.json_normalize(events)
    src = pd.json_normalize(events, record_path="sources", meta=["id"], meta_prefix="event_")
    joined = lambda xs: "|".join(xs) if isinstance(xs, list) else ""
    ev["actors"] = [joined([a["name"] for a in x]) if isinstance(x, list) else "" for x in ev["actors"]]
    for col in ("tags", "related"):
        if col in ev:
            ev[col] = ev[col].map(joined)
    ev["source_count"] = ev["sources"].map(len)
    ev = ev.drop(columns=["sources"])
    ev.to_csv(os.path.join(out, "events.csv"), index=False)
    src.to_csv(os.path.join(out, "sources.csv"), index=False)


def pandas_json2arrow(data, out):
    import pandas as pd

    ev = pd.json_normalize(load_events(data))
    ev.to_feather(os.path.join(out, "events.arrow"), compression="zstd")


def pandas_csv2arrow(data, out):
    import pandas as pd

    for name in ("events", "sources"):
        df = pd.read_csv(os.path.join(data, name + ".csv"))
        df.to_feather(os.path.join(out, name + ".arrow"), compression="zstd")


def pandas_arrow2parquet(data, out):
    import pandas as pd

    df = pd.read_feather(os.path.join(data, "events.arrow"))
    df.to_parquet(os.path.join(out, "events.parquet"), compression="zstd")


def pyarrow_table(data):
    import pyarrow as pa

    return pa.Table.from_struct_array(pa.array(load_events(data)))


def pyarrow_json2csv(data, out):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    t = pyarrow_table(data)
    sources = t["sources"].combine_chunks()
    actors = t["actors"].combine_chunks()
    names = pa.ListArray.from_arrays(actors.offsets, pc.struct_field(actors.flatten(), "name"), mask=actors.is_null())
    ev = t.drop_columns(["sources", "actors"])
    ev = ev.append_column("actors", pc.binary_join(names, "|"))
    for col in ("tags", "related"):
        ev = ev.set_column(ev.schema.get_field_index(col), col, pc.binary_join(ev[col], "|"))
    ev = ev.append_column("source_count", pc.list_value_length(sources))
    while any(pa.types.is_struct(f.type) for f in ev.schema):
        ev = ev.flatten()
    pcsv.write_csv(ev, os.path.join(out, "events.csv"))
    src = pa.Table.from_struct_array(sources.flatten())
    src = src.add_column(0, "event_id", pc.take(t["id"], pc.list_parent_indices(sources)))
    pcsv.write_csv(src, os.path.join(out, "sources.csv"))


def pyarrow_json2arrow(data, out):
    import pyarrow.feather as feather

    feather.write_feather(pyarrow_table(data), os.path.join(out, "events.arrow"), compression="zstd")


def pyarrow_csv2arrow(data, out):
    import pyarrow.csv as pcsv
    import pyarrow.feather as feather

    opts = pcsv.ParseOptions(newlines_in_values=True)
    for name in ("events", "sources"):
        t = pcsv.read_csv(os.path.join(data, name + ".csv"), parse_options=opts)
        feather.write_feather(t, os.path.join(out, name + ".arrow"), compression="zstd")


def pyarrow_arrow2parquet(data, out):
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    t = feather.read_table(os.path.join(data, "events.arrow"))
    pq.write_table(t, os.path.join(out, "events.parquet"), compression="zstd")


def polars_events(data):
    import polars as pl

    df = pl.read_json(os.path.join(data, "dataset.json"))
    return df.select(pl.col("events").explode()).unnest("events")


def polars_json2csv(data, out):
    import polars as pl

    ev = polars_events(data)
    src = ev.select(pl.col("id").alias("event_id"), "sources").explode("sources").unnest("sources")
    flat = ev.with_columns(
        pl.col("actors").list.eval(pl.element().struct.field("name")).list.join("|"),
        pl.col("tags").list.join("|"),
        pl.col("related").list.join("|"),
        pl.col("sources").list.len().alias("source_count"),
    ).drop("sources")
    flat = flat.unnest("place").unnest("location")
    flat.write_csv(os.path.join(out, "events.csv"))
    src.write_csv(os.path.join(out, "sources.csv"))


def polars_json2arrow(data, out):
    polars_events(data).write_ipc(os.path.join(out, "events.arrow"), compression="zstd")


def polars_csv2arrow(data, out):
    import polars as pl

    for name in ("events", "sources"):
        df = pl.read_csv(os.path.join(data, name + ".csv"))
        df.write_ipc(os.path.join(out, name + ".arrow"), compression="zstd")


def polars_arrow2parquet(data, out):
    import polars as pl

    pl.read_ipc(os.path.join(data, "events.arrow")).write_parquet(
        os.path.join(out, "events.parquet"), compression="zstd"
    )


IMPORTS = {
    "pandas": "import pandas, pyarrow",
    "pyarrow": "import pyarrow, pyarrow.compute, pyarrow.csv, pyarrow.feather, pyarrow.parquet",
    "polars": "import polars",
}


def child(tool, conv, data, out):
    if conv == "import":
        exec(IMPORTS[tool])
        return
    globals()[f"{tool}_{conv}"](data, out)


# --- the parent: runs, measures, reports -----------------------------------


def command(tool, conv, data, out, export):
    if tool == "ours":
        src, fmt = {
            "json2csv": ("dataset.json", "csv"),
            "json2arrow": ("dataset.json", "arrow"),
            "csv2arrow": ("", "arrow"),  # the folder itself: events.csv, sources.csv, datapackage.json
            "arrow2parquet": ("events.arrow", "parquet"),
        }[conv]
        return [export, "-in", os.path.join(data, src) if src else data, "-out", out, "-formats", fmt]
    return [sys.executable, os.path.abspath(__file__), "--child", tool, conv, data, out]


def measure(cmd):
    """Runs cmd; returns wall seconds, CPU seconds and peak RSS in MiB."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4 gives this child's own rusage; RUSAGE_CHILDREN would give the
    # largest of all children so far.
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}\n{err}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mib": ru.ru_maxrss / 1024}


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def event_count(data):
    with open(os.path.join(data, "datapackage.json"), encoding="utf-8") as f:
        name = json.load(f)["name"]  # synthetic-N-seed-S
    return int(name.split("-")[1])


def human(x):
    for unit, div in (("M", 1e6), ("k", 1e3)):
        if x >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


def run(args):
    n = args.n or event_count(args.data)
    work = os.path.abspath(args.work)
    results = {tool: {conv: [] for conv, _ in CONVERSIONS} for tool in TOOLS}
    imports = {tool: [] for tool in PEERS}
    sizes = {}
    for r in range(args.runs):
        for conv, label in CONVERSIONS:
            for tool in TOOLS:
                out = os.path.join(work, f"{tool}-{conv}")
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                m = measure(command(tool, conv, os.path.abspath(args.data), out, args.export))
                results[tool][conv].append(m)
                sizes[(tool, conv)] = dir_size(out)
                shutil.rmtree(out)
                print(f"run {r + 1}/{args.runs} {label:16} {tool:8} {m['wall']:7.2f} s {m['cpu']:7.2f} cpu-s "
                      f"{m['rss_mib']:7.0f} MiB", file=sys.stderr, flush=True)
        for tool in PEERS:
            imports[tool].append(measure(command(tool, "import", "", "", args.export)))

    med = lambda runs, key: statistics.median(m[key] for m in runs)
    summary = {"n": n, "runs": args.runs, "conversions": {}, "imports": {}}
    for conv, label in CONVERSIONS:
        row = {}
        for tool in TOOLS:
            runs = results[tool][conv]
            wall = med(runs, "wall")
            row[tool] = {
                "wall_s": wall,
                "events_per_s": n / wall,
                "cpu_s": med(runs, "cpu"),
                "cores": med(runs, "cpu") / wall,
                "rss_mib": med(runs, "rss_mib"),
                "out_mib": sizes[(tool, conv)] / 2**20,
                "runs": runs,
            }
        summary["conversions"][conv] = row
    for tool in PEERS:
        summary["imports"][tool] = {"wall_s": med(imports[tool], "wall"), "rss_mib": med(imports[tool], "rss_mib")}
    return summary


def markdown(s):
    n, lines = s["n"], []
    lines.append(f"Peers, {n:,} events, median of {s['runs']} runs of whole processes "
                 "(events/s from wall-clock time; MiB is peak RSS):")
    lines.append("")
    lines.append("| conversion | ours | pandas | pyarrow | polars | ours ÷ best of pyarrow/polars | ours ÷ pandas |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for conv, label in CONVERSIONS:
        row = s["conversions"][conv]
        cells = [f"{human(row[t]['events_per_s'])}/s, {row[t]['rss_mib']:.0f} MiB" for t in TOOLS]
        best = max(("pyarrow", "polars"), key=lambda t: row[t]["events_per_s"])
        ours = row["ours"]

        def ratio(t, want):
            speed = ours["events_per_s"] / row[t]["events_per_s"]
            mem = ours["rss_mib"] / row[t]["rss_mib"]
            verdict = "met" if speed >= want else "**missed**"
            return f"{speed:.2f}x speed ({verdict}), {mem:.2f}x memory"

        # The targets: faster than pandas, within 1.5x of the best of
        # pyarrow and polars.
        lines.append(f"| {label} | " + " | ".join(cells) +
                     f" | {ratio(best, 1 / 1.5)} vs {best} | {ratio('pandas', 1)} |")
    lines.append("")
    lines.append("A speed ratio above 1 means we are faster; a memory ratio below 1 means we use less. "
                 "The targets: a speed ratio of at least 0.67 (within 1.5x) against the best of pyarrow "
                 "and polars, above 1 against pandas. Details (wall seconds, CPU seconds, "
                 "cores = CPU/wall, output MiB):")
    lines.append("")
    lines.append("| conversion | tool | wall s | CPU s | cores | peak MiB | output MiB |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for conv, label in CONVERSIONS:
        for t in TOOLS:
            c = s["conversions"][conv][t]
            lines.append(f"| {label} | {t} | {c['wall_s']:.2f} | {c['cpu_s']:.2f} | {c['cores']:.2f} | "
                         f"{c['rss_mib']:.0f} | {c['out_mib']:.1f} |")
    for t in PEERS:
        c = s["imports"][t]
        lines.append(f"| import only | {t} | {c['wall_s']:.2f} | | | {c['rss_mib']:.0f} | |")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder with dataset.json, events.csv, sources.csv, datapackage.json, events.arrow")
    ap.add_argument("--export", required=True, help="the main job's built binary (go build -o BIN ./examples/export)")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool and conversion; the median is reported")
    ap.add_argument("--n", type=int, default=0, help="events in the data (default: from datapackage.json)")
    ap.add_argument("--work", default=None, help="scratch folder for outputs (default: DATA/../peers-out)")
    ap.add_argument("--json", help="write the measurements here")
    ap.add_argument("--markdown", help="write the tables here")
    args = ap.parse_args()
    args.export = os.path.abspath(args.export)
    if args.work is None:
        args.work = os.path.join(os.path.dirname(os.path.abspath(args.data)), "peers-out")
    s = run(args)
    md = markdown(s)
    print(md)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(s, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)


if __name__ == "__main__":
    main()
