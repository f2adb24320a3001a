#!/usr/bin/env bash
# Re-simulates the three kept served runs (q2, fc8, final) with the profile's decode points sampled as served: the
# kept profiles were measured with greedy sampling while the kept servers sampled every token at temperature 1
# (top-p, the old boxed sort), S ms per sequence per iteration more (measured paired by
# `cornserve profile decode-check`, equal contexts sampled against greedy). Each decode point gets S x batch more;
# the extra per sequence beyond the first is refitted with that share taken off each loaded step (TailReport fit
# --sampling-ms-per-sequence), cross-fitted as in resimulate.sh (q2 and final from fc8, fc8 from q2). Prints, per
# run, the table before (as kept), with the kept extra per sequence alone, and with the sampled profile plus the
# refitted extra. Usage:
#   experiments/validation-tails/resimulate-sampling.sh [DATA_DIR] [OUT_DIR] [S_MS]
set -euo pipefail
D="${1:-/work/tails-data}"
T="${2:-/tmp/validation-tails-sampling}"
S="${3:-0.056}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for run in q2 fc8 final; do
  a="args_$run[@]"; p="probe_$run"; l="loaded_$run"
  jq --argjson s "$S" '.profiles |= map(if .decode then .decode |= map(.latency_ms += $s * .batch) else . end)' \
    "$D/$run/profiles.json" > "$T/$run-profiles-sampled.json"
  sim "$run" "$D/$run/profiles.json" "$run-before" "${!a}"
  echo "== $run before (as kept: profile + fixed overheads)"
  report table "$T/$run-before" "$D/$run/planned/measured"
  report fit --probe "$D/${!p}/planned" --loaded "$D/${!l}/planned" --terms extra \
    --out "$T/$run-costs-extra.json" >/dev/null
  sim "$run" "$D/$run/profiles.json" "$run-extra" "${!a}" --served-costs "$T/$run-costs-extra.json"
  echo "== $run kept profile + extra $(jq .extra_ms_per_sequence "$T/$run-costs-extra.json") ms per sequence (from ${!l})"
  report table "$T/$run-extra" "$D/$run/planned/measured"
  report fit --probe "$D/${!p}/planned" --loaded "$D/${!l}/planned" --terms extra --sampling-ms-per-sequence "$S" \
    --out "$T/$run-costs-sampled.json" >/dev/null
  sim "$run" "$T/$run-profiles-sampled.json" "$run-sampled" "${!a}" --served-costs "$T/$run-costs-sampled.json"
  echo "== $run profile sampled as served (+$S ms x batch) + extra $(jq .extra_ms_per_sequence "$T/$run-costs-sampled.json") ms per sequence (from ${!l})"
  report table "$T/$run-sampled" "$D/$run/planned/measured"
done
