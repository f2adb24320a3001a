#!/usr/bin/env bash
# Scaling for real on this machine: a bursty slice of the Azure conversation trace served by `cornserve serve` with
# a static plan of one replica, one of two, and the plan scaled between one and two (tiny-vl on 2 CPU slots), each
# replayed open loop. Prints per plan: requests answered, P50/P99 end-to-end latency, P99 TTFT and the
# replica-seconds held while the slice ran (cornserve_replica_seconds_total after minus before), with the scaling
# decisions. Usage: experiments/scaling-runtime.sh [OUT_DIR]   (about 6 minutes per plan)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/scaling-runtime}
mkdir -p "$OUT"
AZURE=../shared/traces/AzureLLMInferenceTrace_conv.csv
[ -f "$OUT/conv.jsonl" ] || bin/cornserve trace convert --format azure-llm "$AZURE" --out "$OUT/conv.jsonl"
# 300 s of the trace at 2 req/s, a 6x burst from 60 s to 120 s, prompts and answers x0.25 for a CPU
bin/cornserve trace transform "$OUT/conv.jsonl" --window 1200:1800 --rate 2 --modulate 0:1,60:6,120:1 \
    --scale-tokens 0.25 --first 1080 --out "$OUT/bursty.jsonl"
metric() { # FILE SERIES -> value or 0
    awk -v s="$2" '$1 == s {print $2; found=1} END {if (!found) print 0}' "$1"
}
for plan in ${PLANS:-cpu-static-1 cpu-static-2 cpu-autoscaled}; do
    dir="$OUT/$plan"
    mkdir -p "$dir"
    bin/cornserve serve --plan "experiments/plans/scaling/$plan.json" --port 0 --devices cpu:2 --ignore-eos \
        --scale-interval 2 >"$dir/serve.out" 2>"$dir/serve.err" &
    server=$!
    for _ in $(seq 1 600); do
        grep -q '^listening on ' "$dir/serve.out" 2>/dev/null && break
        kill -0 "$server" 2>/dev/null || { cat "$dir/serve.err"; exit 1; }
        sleep 0.5
    done
    url=$(sed -n 's/^listening on //p' "$dir/serve.out")
    token=$(sed -n 's/^admin token \([^ ]*\).*/\1/p' "$dir/serve.out")
    curl -s "$url/metrics" >"$dir/before.prom"
    bin/cornserve replay --url "$url" --app tiny-vl --trace "$OUT/bursty.jsonl" --out "$dir/replay" >"$dir/replay.out" 2>&1
    curl -s "$url/metrics" >"$dir/after.prom"
    curl -s -H "Authorization: Bearer $token" "$url/admin/deployments" >"$dir/deployments.json"
    kill -TERM "$server"
    wait "$server" || true
    series='cornserve_replica_seconds_total{deployment="vl"}'
    held=$(awk -v a="$(metric "$dir/after.prom" "$series")" -v b="$(metric "$dir/before.prom" "$series")" \
        'BEGIN {printf "%.1f", a - b}')
    python3 - "$dir" "$held" "$plan" <<'PY'
import json, sys
d, held, plan = sys.argv[1], sys.argv[2], sys.argv[3]
s = json.load(open(d + "/replay/summary.json"))
dep = json.load(open(d + "/deployments.json"))["deployments"][0]
sc = dep.get("scaling", {})
def find(o, *keys):
    for k in keys:
        o = o.get(k, {}) if isinstance(o, dict) else {}
    return o
print(json.dumps({"plan": plan, "replica_seconds": float(held), "summary": s,
                  "scale_ups": sc.get("scale_ups"), "scale_downs": sc.get("scale_downs"),
                  "startups_s": [r.get("startup_seconds") for r in dep["replicas"]]}), file=open(d + "/row.json", "w"))
PY
    echo "$plan: replica-seconds $held; summary in $dir/replay/summary.json"
done
