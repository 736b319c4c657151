#!/usr/bin/env bash
# The A/B gate's error rates, measured (docs/measurement.md, "The A/B gate"): N pairs of
# `sketchbench ab` runs from this checkout, alternating an identical base (HEAD) and a base
# whose countmin is faster through a real change in its hot path (two 64-bit hashes per
# packet split over its four rows instead of four hashes: countmin-two-hashes.patch).
# Each run's comparison goes to OUT/<i>-<kind>.json, one line per run to OUT/summary.txt;
# summarize.mjs OUT prints the tally. Usage: scripts/ab-campaign/run.sh [N] [OUT]
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-20}
out=$(mkdir -p "${2:-$root/results/ab-campaign}" && cd "${2:-$root/results/ab-campaign}" && pwd)
base=$(mktemp -d -t sketchbench-fast-base-XXXXXX)
trap 'rm -rf "$base"' EXIT
cp -r "$root/variants" "$base/variants"
patch -s -d "$base" -p1 < "$here/countmin-two-hashes.patch" || { echo "the patch no longer applies to variants/: refresh countmin-two-hashes.patch" >&2; exit 2; }
cd "$root"
for i in $(seq 1 "$n"); do
  for kind in identical faster; do
    ref=HEAD; [ "$kind" = faster ] && ref=$base
    t0=$(date +%s)
    node bin/sketchbench.js ab --base "$ref" --quiet --json > "$out/$i-$kind.json" 2> "$out/$i-$kind.err"
    rc=$?
    echo "$i $kind rc=$rc wall=$(( $(date +%s) - t0 )) start=$(date -d "@$t0" +%H:%M:%S)" | tee -a "$out/summary.txt"
    [ "$rc" -gt 1 ] && { echo "ab failed (exit $rc): $out/$i-$kind.err" >&2; exit "$rc"; }
  done
done
