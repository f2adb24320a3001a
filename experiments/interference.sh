#!/usr/bin/env bash
# Encoder interference: Qwen2.5-VL-7B on 8 H100 under the ServeGen image workload (noon, 20 minutes), monolithic
# vs the vision encoder split off (2 + 6 and 1 + 7 GPUs), at several request rates. Prints one line per run;
# full results land in ${OUT:-/tmp/interference}/<plan>-<rate>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-/tmp/interference}
TRACE=${TRACE:-../shared/traces/servegen-mm-image}
for plan in monolithic encoder-split encoder-split-1v7; do
  for rate in ${RATES:-20 40 60 80}; do
    printf '%-18s %3s req/s: ' "$plan" "$rate"
    bin/cornserve simulate --plan "experiments/plans/qwen2.5-vl-7b-8xh100-$plan.json" --trace "$TRACE" \
      --window 43200:44400 --rate "$rate" --seed 1 --slo ttft=500,tpot=50 --out "$OUT/$plan-$rate" \
      | sed -E 's/^[0-9]+ requests: //; s/; [0-9]+ events.*//'
  done
done
