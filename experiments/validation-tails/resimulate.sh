#!/usr/bin/env bash
# Re-simulates the three kept served runs (q2, fc8, final) before and after the served step costs, without a server,
# and prints each run's validation table (simulated against the kept served figures). Usage:
#   experiments/validation-tails/resimulate.sh [DATA_DIR] [OUT_DIR] [SEEDS]
# DATA_DIR holds q2/, fc8/ and final/ as 'cornserve demo' left them (default /work/tails-data); SEEDS the served-cost
# draw seeds to run for the terms that draw (ratio, trip, all; default "1 2 3"). Each parameter is fitted on other data than the run it is judged on:
# q2 and final take the extra per sequence from fc8's loaded steps, fc8 takes it from q2's; the compute-ratio and
# round-trip tables come from each run's own idle probe (final kept none: it takes q2's, the same 2 x 1-slot plan).
set -euo pipefail
D="${1:-/work/tails-data}"
T="${2:-/tmp/validation-tails}"
SEEDS="${3:-1 2 3}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for run in q2 fc8 final; do
  a="args_$run[@]"; p="probe_$run"; l="loaded_$run"
  sim "$run" "$D/$run/profiles.json" "$run-before" "${!a}"
  echo "== $run before (as kept: profile + fixed overheads)"
  report table "$T/$run-before" "$D/$run/planned/measured"
  for terms in extra ratio trip all; do
    seeds="$SEEDS"
    [[ "$terms" == extra ]] && seeds=1  # no draws: one seed says it all
    for seed in $seeds; do
      report fit --probe "$D/${!p}/planned" --loaded "$D/${!l}/planned" --seed "$seed" --terms "$terms" \
        --out "$T/$run-costs-$terms-$seed.json" >/dev/null
      sim "$run" "$D/$run/profiles.json" "$run-$terms-$seed" "${!a}" --served-costs "$T/$run-costs-$terms-$seed.json"
      echo "== $run after, terms $terms, seed $seed (probe ${!p}, extra per sequence from ${!l})"
      report table "$T/$run-$terms-$seed" "$D/$run/planned/measured"
    done
  done
  # the per-request overhead as a line in the prompt tokens, fitted to the probe (final: q2's slope, its own overhead
  # kept at the probe's median prompt, 249 tokens, as its older probe measured no line; an intercept below 0 is 0)
  read -r intercept slope < <(report overhead "$D/${!p}/planned")
  if [[ "$run" == final ]]; then
    intercept=$(awk -v s="$slope" 'BEGIN { v = 4.9813 - 249 * s; printf "%.4f", v > 0 ? v : 0 }')
  fi
  line=("${!a}")
  line[1]="$intercept"
  line+=(--request-overhead-ms-per-token "$slope")
  sim "$run" "$D/$run/profiles.json" "$run-line" "${line[@]}"
  echo "== $run after, terms line, seed - (overhead $intercept ms + $slope ms per prompt token, probe ${!p})"
  report table "$T/$run-line" "$D/$run/planned/measured"
  sim "$run" "$D/$run/profiles.json" "$run-line-extra" "${line[@]}" --served-costs "$T/$run-costs-extra-1.json"
  echo "== $run after, terms line+extra, seed - (overhead line as above, extra per sequence from ${!l})"
  report table "$T/$run-line-extra" "$D/$run/planned/measured"
done
