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
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
D="${1:-/work/tails-data}"
T="${2:-/tmp/validation-tails-sampling}"
S="${3:-0.056}"
mkdir -p "$T"
source "$ROOT/bin/find-jdk.sh"
"$ROOT/bin/cornserve" --version >/dev/null
JAR="$ROOT/cli/target/cornserve.jar"
report() { "$CORNSERVE_JDK/bin/java" -cp "$JAR" org.cornserve.cli.validate.TailReport "$@"; }
sim() {
  local run="$1" profiles="$2" out="$3"; shift 3
  "$ROOT/bin/cornserve" simulate --plan "$D/$run/planned/plan.json" --trace "$D/$run/trace.jsonl" \
    --trace-format jsonl --profiles "$profiles" --slo ttft=500,tpot=50 --out "$T/$out" "$@" >/dev/null
}
args_q2=(--request-overhead-ms 15.2663 --step-overhead-ms 0.6232 --tokens-per-report 4)
args_fc8=(--request-overhead-ms 18.6226 --step-overhead-ms 0.6349 --tokens-per-report 4)
args_final=(--request-overhead-ms 4.9813 --tokens-per-report 4)
probe_q2=q2; probe_fc8=fc8; probe_final=q2
loaded_q2=fc8; loaded_fc8=q2; loaded_final=fc8
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
