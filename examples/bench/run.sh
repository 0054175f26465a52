#!/usr/bin/env bash
# run.sh: the one command that measures speed and memory and writes
# examples/bench/RESULTS.md:
#
#   examples/bench/run.sh
#
# 1. the Go benchmarks of ./timeline and ./export (go test -bench, -count 5,
#    one core): the median of each, the targets the issue names, and
#    benchstat's report when benchstat downloads;
# 2. the peers: the main job against pandas, pyarrow and polars on the same
#    SIZE generated events (peers.py);
# 3. memory: streaming CSV to Arrow and Arrow to Parquet at 10^5, 10^6 and
#    10^7 events (memory.sh).
#
# It takes about 25 minutes on an idle 2-core machine (longer when the
# machine is shared) and about 20 GB of free disk for the 10^7 run.
# Knobs (environment):
#   SIZE        events for the peer comparison (default 100000)
#   RUNS        runs per peer conversion, median reported (default 3)
#   COUNT       go test -count (default 5)
#   GO_CPU      go test -cpu (default 1: the targets are per core)
#   BENCH       go test -bench pattern (default .)
#   MEM_SIZES   memory.sh sizes (default "100000 1000000 10000000")
#   MEM_BUDGET  memory.sh seconds per conversion (default 600)
#   SKIP        any of "go peers memory" to leave out
#   BENCH_WORK  scratch folder (default /tmp/sourced-bench), removed at the end
#   RESULTS     the file to write (default examples/bench/RESULTS.md)
#
# Requires Go, Python 3 with pandas, pyarrow and polars
# (pip install -r examples/interop/requirements.txt) and GNU time.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
SIZE=${SIZE:-100000}
RUNS=${RUNS:-3}
COUNT=${COUNT:-5}
GO_CPU=${GO_CPU:-1}
BENCH=${BENCH:-.}
SKIP=${SKIP:-}
WORK=${BENCH_WORK:-/tmp/sourced-bench}
RESULTS=${RESULTS:-$ROOT/examples/bench/RESULTS.md}
mkdir -p "$WORK/bin"
trap 'rm -rf "$WORK"' EXIT
started=$(date +%s)
say() { echo "run.sh: $*" >&2; }
skip() { [[ " $SKIP " == *" $1 "* ]]; }

say "building the main job and gencsv"
go build -o "$WORK/bin/export" ./examples/export
go build -o "$WORK/bin/gencsv" ./examples/bench/gencsv
export EXPORT_BIN=$WORK/bin/export GENCSV_BIN=$WORK/bin/gencsv BENCH_WORK=$WORK

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# The cpu line of /proc/stat: user nice system idle iowait irq softirq steal.
# Steal is time a virtual machine's cores were runnable but given to other
# guests: a run with much of it saw fewer cores than it has.
stat_start=$(awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9 }' /proc/stat)
pyversions=$(python3 -c 'import sys, pandas, pyarrow, polars, numpy; print(f"Python {sys.version.split()[0]}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, polars {polars.__version__}, numpy {numpy.__version__}")' 2>/dev/null || echo "Python packages missing")
arrowgo=$(go list -m -f '{{.Path}} {{.Version}}' github.com/apache/arrow/go/v17 2>/dev/null || echo "arrow go/v17 ?")

# --- 1. Go benchmarks ---------------------------------------------------------
go_table=$WORK/go-table.txt
go_targets=$WORK/go-targets.md
if ! skip go; then
	say "go test -bench $BENCH -count $COUNT -cpu $GO_CPU ./timeline ./export (the longest part)"
	go test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" -cpu "$GO_CPU" -timeout 2h ./timeline ./export | tee "$WORK/go-bench.txt" >&2
	# Our own summary, always: the median of each metric per benchmark.
	awk '/^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
		if (!(name in seen)) { seen[name] = 1; order[++k] = name }
		for (i = 3; i < NF; i += 2) vals[name SUBSEP $(i+1)] = vals[name SUBSEP $(i+1)] " " $i
	}
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		if (n == 0) return ""
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	function si(x) { return x == "" ? "" : x >= 1e9 ? sprintf("%.2fG", x / 1e9) : x >= 1e6 ? sprintf("%.2fM", x / 1e6) : x >= 1e3 ? sprintf("%.1fk", x / 1e3) : sprintf("%.3g", x) }
	function dur(x) { return x >= 1e9 ? sprintf("%.3f s", x / 1e9) : x >= 1e6 ? sprintf("%.2f ms", x / 1e6) : x >= 1e3 ? sprintf("%.2f µs", x / 1e3) : sprintf("%.0f ns", x) }
	END {
		print "| benchmark | time/op | events/s | MB/s | B/op | allocs/op |"
		print "| --- | --- | --- | --- | --- | --- |"
		for (i = 1; i <= k; i++) {
			n = order[i]
			rate = si(median(vals[n SUBSEP "events/s"]))
			if (rate == "" && ((n SUBSEP "dates/s") in vals)) rate = si(median(vals[n SUBSEP "dates/s"])) " dates/s"
			mb = median(vals[n SUBSEP "MB/s"])
			printf "| %s | %s | %s | %s | %s | %s |\n", n, dur(median(vals[n SUBSEP "ns/op"])), rate, mb == "" ? "" : sprintf("%.0f", mb), si(median(vals[n SUBSEP "B/op"])), si(median(vals[n SUBSEP "allocs/op"]))
		}
	}' "$WORK/go-bench.txt" >"$go_table"
	if (cd "$WORK" && cp go-bench.txt this-run && timeout 300 go run golang.org/x/perf/cmd/benchstat@latest this-run) >"$WORK/benchstat.txt" 2>"$WORK/benchstat.err"; then
		go_summary="medians of $COUNT runs; benchstat's full report (with 95% confidence intervals) below"
	else
		go_summary="medians of $COUNT runs (benchstat did not download here)"
		: >"$WORK/benchstat.txt"
	fi
	# The targets, from the medians of the same run.
	awk '/^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name)
		for (i = 3; i < NF; i += 2) if ($(i+1) == "events/s" || $(i+1) == "ns/op" || $(i+1) == "WriteCSV/encoding-csv") vals[name SUBSEP $(i+1)] = vals[name SUBSEP $(i+1)] " " $i
	}
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		if (n == 0) return 0
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	function ev(n) { return median(vals[n SUBSEP "events/s"]) }
	function ns(n) { return median(vals[n SUBSEP "ns/op"]) }
	function row(what, got, target, ok) { printf "| %s | %s | %s | %s |\n", what, got, target, ok ? "met" : "**missed**" }
	function rate(x) { return x >= 1e6 ? sprintf("%.2fM events/s", x / 1e6) : sprintf("%.0fk events/s", x / 1e3) }
	END {
		print "| target | measured (median) | wanted | |"
		print "| --- | --- | --- | --- |"
		for (n = 10000; n <= 100000; n *= 10) {
			w = ns("BenchmarkWriteCSV/events=" n "/WriteCSV"); h = ns("BenchmarkWriteCSV/events=" n "/encoding-csv")
			if (w && h) row("WriteCSV time vs a hand-written encoding/csv loop, " n " events", sprintf("%.2fx (%s vs %s)", w / h, rate(ev("BenchmarkWriteCSV/events=" n "/WriteCSV")), rate(ev("BenchmarkWriteCSV/events=" n "/encoding-csv"))), "<= 1.3x", w / h <= 1.3)
			p = median(vals["BenchmarkWriteCSV/events=" n "/paired" SUBSEP "WriteCSV/encoding-csv"])
			if (p) row("the same, both timed in turn within each iteration (the paired benchmark), " n " events", sprintf("%.2fx", p), "<= 1.3x", p <= 1.3)
		}
		split("none zstd lz4", comps, " ")
		for (c = 1; c <= 3; c++) for (n = 10000; n <= 100000; n *= 10) {
			x = ev("BenchmarkWriteArrow/" comps[c] "/" n)
			if (x) row("Arrow write, " comps[c] ", " n " events", rate(x), ">= 1M events/s", x >= 1e6)
		}
		for (c = 1; c <= 2; c++) for (n = 10000; n <= 100000; n *= 10) {
			x = ev("BenchmarkReadArrow/" comps[c] "/" n)
			if (x) row("Arrow read, " comps[c] ", " n " events", rate(x), ">= 2M events/s", x >= 2e6)
		}
		for (n = 10000; n <= 100000; n *= 10) {
			f = ev("BenchmarkArrowFloor/write/" n); x = ev("BenchmarkWriteArrow/none/" n)
			if (f && x) printf "| Arrow write, none, as a share of the copy-only floor (ArrowFloor/write), %d events | %.0f%% (floor %s) | (a floor, no target) | |\n", n, 100 * x / f, rate(f)
			f = ev("BenchmarkArrowFloor/read/" n); x = ev("BenchmarkReadArrow/none/" n)
			if (f && x) printf "| Arrow read, none, as a share of the allocate-copy-check-text floor (ArrowFloor/read), %d events | %.0f%% (floor %s) | (a floor, no target) | |\n", n, 100 * x / f, rate(f)
		}
		for (n = 10000; n <= 100000; n *= 10) {
			r = ns("BenchmarkReadCSV/events=" n "/ReadCSV"); f = ns("BenchmarkReadCSV/events=" n "/encoding-csv-records")
			if (r && f) printf "| ReadCSV time vs encoding/csv splitting records only, %d events | %.2fx (%s) | (a floor, no target) | |\n", n, r / f, rate(ev("BenchmarkReadCSV/events=" n "/ReadCSV"))
		}
		split("zstd snappy none", pc, " ")
		for (c = 1; c <= 3; c++) { x = ev("BenchmarkWriteParquet/" pc[c] "/100000"); if (x) printf "| Parquet write, %s, 100000 events | %s | (no target) | |\n", pc[c], rate(x) }
		x = ev("BenchmarkReadParquet/100000"); if (x) printf "| Parquet read, 100000 events | %s | (no target) | |\n", rate(x)
	}' "$WORK/go-bench.txt" >"$go_targets"
fi

# --- 2. Peers -----------------------------------------------------------------
peers_md=$WORK/peers.md
if ! skip peers; then
	say "peers: generating $SIZE events (json, csv, arrow)"
	"$WORK/bin/export" -synthetic "$SIZE" -out "$WORK/data" -formats json,csv,arrow >/dev/null
	say "peers: $RUNS runs of 4 conversions x 4 tools"
	python3 examples/bench/peers.py --data "$WORK/data" --export "$WORK/bin/export" --runs "$RUNS" \
		--work "$WORK/peers-out" --json "$WORK/peers.json" --markdown "$peers_md" >&2
	rm -rf "$WORK/data" "$WORK/peers-out"
fi

# --- 3. Memory ----------------------------------------------------------------
mem_md=$WORK/memory.md
if ! skip memory; then
	say "memory: ${MEM_SIZES:-100000 1000000 10000000} events"
	MEM_OUT=$mem_md examples/bench/memory.sh >&2
fi

# --- RESULTS.md ---------------------------------------------------------------
elapsed=$(( $(date +%s) - started ))
{
	echo "# Benchmark results"
	echo
	echo "Written by \`examples/bench/run.sh\` (SIZE=$SIZE RUNS=$RUNS COUNT=$COUNT GO_CPU=$GO_CPU) on $(date -u '+%Y-%m-%d %H:%M UTC'), in $((elapsed / 60)) min."
	echo "Every ratio below compares figures measured in this same run."
	echo
	echo "- Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 2^20 }' /proc/meminfo) RAM, $(uname -sr)"
	echo "- Load average (1, 5, 15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg). A load above the core count means other work shared the machine: read the ratios, not the absolute rates."
	echo "- CPU time stolen by the host from this virtual machine during the run: $(awk -v s="$stat_start" '/^cpu / { split(s, a, " "); total = $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 - a[1]; steal = $9 - a[2]; printf "%.1f%%", (total > 0 ? 100 * steal / total : 0) }' /proc/stat) of the cores' time. Multi-core tools (ours, polars) lose more to it than single-core ones."
	echo "- $(go version | cut -d' ' -f3-), $arrowgo"
	echo "- $pyversions"
	echo "- Data: seeds.Synthetic (seed 1): about 2.4 KB of canonical JSON, 1.1 KB of events.csv plus 0.5 KB of sources.csv (3 sources on average), 0.4 KB of zstd Arrow per event."
	if [ -s "$go_table" ]; then
		echo
		echo "## Go benchmarks"
		echo
		echo "\`go test -run '^\$' -bench '$BENCH' -benchmem -count $COUNT -cpu $GO_CPU ./timeline ./export\`, $go_summary:"
		echo
		cat "$go_table"
		echo
		echo "The issue's targets, from the same run:"
		echo
		cat "$go_targets"
		if [ -s "$WORK/benchstat.txt" ]; then
			echo
			echo "<details><summary>benchstat</summary>"
			echo
			echo '```'
			cat "$WORK/benchstat.txt"
			echo '```'
			echo
			echo "</details>"
		fi
	fi
	if [ -s "$peers_md" ]; then
		echo
		echo "## Against pandas, pyarrow and polars"
		echo
		echo "\`python3 examples/bench/peers.py\` on $SIZE events that the main job generated. Each conversion is one whole process, timed from start to exit; peak RSS from wait4. What each side does:"
		echo
		echo "- **ours**: the main job, \`-in dataset.json|<csv folder>|events.arrow -formats csv|arrow|parquet\`. JSON input is decoded strictly and validated as a whole once; CSV input streams events.csv and sources.csv in step and nests each event's sources; every file is written atomically (temp file, fsync, rename). Our CSV is events.csv (23 columns, derived counts and dates, lists joined with '|', formula guard) + sources.csv + datapackage.json; our Arrow and Parquet hold one nested row per event, dates as date32 beside their EDTF text, dictionary columns, zstd."
		echo "- **pandas**: \`json.load\` + \`pd.json_normalize\` (events; sources with record_path), \`to_csv\` / \`to_feather(compression='zstd')\`; \`read_csv\`; \`read_feather\` + \`to_parquet(compression='zstd')\`."
		echo "- **pyarrow**: \`json.load\` + \`pa.array\` (one struct per event), flatten, \`pyarrow.csv.write_csv\` / \`feather.write_feather(compression='zstd')\`; \`pyarrow.csv.read_csv\` (newlines_in_values); \`feather.read_table\` + \`pq.write_table(compression='zstd')\`."
		echo "- **polars**: \`pl.read_json\` + explode/unnest, \`write_csv\` / \`write_ipc(compression='zstd')\`; \`read_csv\`; \`read_ipc\` + \`write_parquet(compression='zstd')\`."
		echo "- Differences in work: for JSON to CSV the peers write the same two tables, without our derived columns, formula guard or descriptor. For CSV to Arrow the peers copy the two CSV files to two flat Arrow files; we parse every value, check the derived columns and join sources into one nested file. The peers keep dates as text; we parse and validate EDTF. The peers do not fsync. The Python processes pay for the interpreter and imports (\"import only\" rows). polars and pyarrow use both cores where they can (\"cores\" column); the main job decodes on one core and encodes on the other (export.ReadAhead), and compresses Parquet columns in parallel."
		echo
		cat "$peers_md"
	fi
	if [ -s "$mem_md" ]; then
		echo
		echo "## Memory as the dataset grows"
		echo
		echo "\`examples/bench/memory.sh\`: gencsv streams the synthetic events to a CSV folder; the main job converts it, each conversion one process under \`/usr/bin/time -v\`."
		echo
		cat "$mem_md"
	fi
} >"$RESULTS"
say "wrote $RESULTS in $((elapsed / 60)) min"
