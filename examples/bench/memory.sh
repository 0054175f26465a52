#!/usr/bin/env bash
# memory.sh: peak memory of streaming conversions as the dataset grows.
#
# For each size it writes n synthetic events as a CSV folder (gencsv, which
# streams), then times the main job converting it, each as one process
# under /usr/bin/time -v:
#
#   CSV to Arrow      export -in csv-N -formats arrow       (zstd)
#   Arrow to Parquet  export -in events.arrow -formats parquet (zstd)
#
# and prints a Markdown table of wall time, events/s and peak RSS. The
# target: at 10^7 events, under 300 MiB and within 1.5x of the 10^5 peak.
#
#   examples/bench/memory.sh                      # 10^5, 10^6, 10^7
#   MEM_SIZES="100000 1000000" examples/bench/memory.sh
#
# Knobs (environment):
#   MEM_SIZES    event counts, ascending (default "100000 1000000 10000000")
#   MEM_BUDGET   seconds that either conversion may take: a size for which
#                the previous size predicts a longer conversion is replaced
#                by 3x the previous size, and a conversion still running at
#                MEM_BUDGET is stopped, and 3x the previous size measured
#                instead (default 600)
#   MEM_GEN_BUDGET  the same for generating the input, which is set-up, not
#                a measurement (default 3x MEM_BUDGET)
#   BENCH_WORK   scratch folder, on a disk with room for the largest CSV
#                (about 1.6 GB per 10^6 events; default /tmp/sourced-bench)
#   EXPORT_BIN, GENCSV_BIN  prebuilt binaries (default: built here)
#   MEM_OUT      also write the table to this file
#
# Every file it writes is removed when it ends.
set -euo pipefail

cd "$(dirname "$0")/../.."
SIZES=${MEM_SIZES:-"100000 1000000 10000000"}
BUDGET=${MEM_BUDGET:-600}
GEN_BUDGET=${MEM_GEN_BUDGET:-$((BUDGET * 3))}
WORK=${BENCH_WORK:-/tmp/sourced-bench}/memory
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

if [ ! -x /usr/bin/time ]; then
	echo "memory.sh: /usr/bin/time is missing: apt-get install time" >&2
	exit 1
fi
EXPORT_BIN=${EXPORT_BIN:-}
GENCSV_BIN=${GENCSV_BIN:-}
if [ -z "$EXPORT_BIN" ]; then
	EXPORT_BIN=$WORK/export
	go build -o "$EXPORT_BIN" ./examples/export
fi
if [ -z "$GENCSV_BIN" ]; then
	GENCSV_BIN=$WORK/gencsv
	go build -o "$GENCSV_BIN" ./examples/bench/gencsv
fi

# measure LIMIT LOG CMD...: runs CMD under /usr/bin/time -v and a limit of
# LIMIT seconds; prints "wall_s cpu_s peak_kib", or "timeout" if it did
# not finish.
measure() {
	local limit=$1 log=$2
	shift 2
	if ! /usr/bin/time -v -o "$log" timeout "$limit" "$@" >/dev/null 2>"$log.err"; then
		if grep -qE "status:? 124" "$log"; then
			echo timeout
			return
		fi
		cat "$log.err" "$log" >&2
		return 1
	fi
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
		/User time \(seconds\)/ { cpu += $2 }
		/System time \(seconds\)/ { cpu += $2 }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%.2f %.2f %d\n", wall, cpu, rss }' "$log"
}

rows=()
notes=()
first="" # "n peak_arrow_kib peak_parquet_kib" of the smallest size
last=""  # the same for the largest size measured
prev_n=""
prev_slowest=""

# one_size N: measures N events and appends a row; returns 2 if a step
# ran out of time.
one_size() {
	local n=$1 dir=$WORK/n$1 gen a p csv_bytes arrow_bytes parquet_bytes
	mkdir -p "$dir"
	echo "memory.sh: $n events: generating CSV" >&2
	gen=$(measure "$GEN_BUDGET" "$dir/gen.log" "$GENCSV_BIN" -n "$n" -out "$dir/csv") || return 1
	if [ "$gen" = timeout ]; then
		notes+=("$n events: generating the CSV took over ${GEN_BUDGET} s; stopped.")
		rm -rf "$dir"
		return 2
	fi
	csv_bytes=$(du -sb "$dir/csv" | cut -f1)
	echo "memory.sh: $n events: CSV to Arrow" >&2
	a=$(measure "$BUDGET" "$dir/arrow.log" "$EXPORT_BIN" -in "$dir/csv" -out "$dir/arrow" -formats arrow) || return 1
	rm -rf "$dir/csv"
	if [ "$a" = timeout ]; then
		notes+=("$n events: CSV to Arrow took over ${BUDGET} s; stopped.")
		rm -rf "$dir"
		return 2
	fi
	arrow_bytes=$(stat -c %s "$dir/arrow/events.arrow")
	echo "memory.sh: $n events: Arrow to Parquet" >&2
	p=$(measure "$BUDGET" "$dir/parquet.log" "$EXPORT_BIN" -in "$dir/arrow/events.arrow" -out "$dir/parquet" -formats parquet) || return 1
	if [ "$p" = timeout ]; then
		notes+=("$n events: Arrow to Parquet took over ${BUDGET} s; stopped.")
		rm -rf "$dir"
		return 2
	fi
	parquet_bytes=$(stat -c %s "$dir/parquet/events.parquet")
	rm -rf "$dir"
	read -r gw gc gr <<<"$gen"
	read -r aw ac ar <<<"$a"
	read -r pw pc pr <<<"$p"
	rows+=("$(awk -v n="$n" -v cb="$csv_bytes" -v ab="$arrow_bytes" -v qb="$parquet_bytes" \
		-v gw="$gw" -v aw="$aw" -v ac="$ac" -v ar="$ar" -v pw="$pw" -v pc="$pc" -v pr="$pr" 'BEGIN {
		printf "| %d | %.2f GiB in %.0f s | %.1f | %.0fk/s (%.2f cores) | **%.0f** | %.0f MiB | %.1f | %.0fk/s (%.2f cores) | **%.0f** | %.0f MiB |\n",
			n, cb / 2^30, gw, aw, n / aw / 1000, ac / aw, ar / 1024, ab / 2^20, pw, n / pw / 1000, pc / pw, pr / 1024, qb / 2^20 }')")
	[ -n "$first" ] || first="$n $ar $pr"
	last="$n $ar $pr"
	prev_n=$n
	prev_slowest=$(awk -v a="$aw" -v b="$pw" 'BEGIN { m = (a + 0 > b + 0) ? a : b; printf "%d", m + 1 }')
}

for n in $SIZES; do
	if [ -n "$prev_n" ]; then
		estimate=$(awk -v t="$prev_slowest" -v a="$prev_n" -v b="$n" 'BEGIN { printf "%d", t * b / a }')
		if [ "$estimate" -gt "$BUDGET" ]; then
			notes+=("$n events: skipped, its slower conversion estimated at ${estimate} s from the $prev_n run (budget ${BUDGET} s); measured $((prev_n * 3)) instead.")
			one_size $((prev_n * 3)) || true
			break
		fi
	fi
	status=0
	one_size "$n" || status=$?
	if [ "$status" = 2 ]; then
		if [ -n "$prev_n" ] && [ "$n" != $((prev_n * 3)) ]; then
			notes+=("Measured $((prev_n * 3)) events instead.")
			one_size $((prev_n * 3)) || true
		fi
		break
	fi
	[ "$status" = 0 ] || exit "$status"
done

{
	echo "Streaming conversions with the main job, one process each, peak RSS from \`/usr/bin/time -v\`:"
	echo
	echo "| events | CSV input (gencsv) | CSV to Arrow s | events/s | peak MiB | Arrow file | Arrow to Parquet s | events/s | peak MiB | Parquet file |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	printf '%s\n' "${rows[@]}"
	echo
	for note in "${notes[@]}"; do
		echo "- $note"
	done
	if [ -n "$last" ] && [ "${last%% *}" != "${first%% *}" ]; then
		awk -v first="$first" -v last="$last" 'BEGIN {
			split(first, a, " "); split(last, b, " ")
			name[2] = "CSV to Arrow"; name[3] = "Arrow to Parquet"
			for (i = 2; i <= 3; i++)
				printf "- %s at %d events: peak %.0f MiB (%s the 300 MiB target), %.2fx its peak at %d events (%s the 1.5x target).\n",
					name[i], b[1], b[i] / 1024, (b[i] / 1024 < 300) ? "meets" : "misses", b[i] / a[i], a[1], (b[i] / a[i] <= 1.5) ? "meets" : "misses" }'
	fi
} | tee ${MEM_OUT:+"$MEM_OUT"}
