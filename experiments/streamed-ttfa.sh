#!/usr/bin/env bash
# Time to first audio of the voice assistant served with the streamed hand-off (the embedded tiny-omni plan, the
# thinker's hidden states to the talker one token at a time) against the same plan with stream_chunk_tokens 0 (the
# whole answer handed over), both served at once on this machine so they share its load, each replayed with the same
# 20 voice requests one every 4 s (rows 200-219 of the Azure conversation trace, tokens x0.25, speech out). Prints
# each side's speech.ttfa_ms and the median per-request ratio streamed / whole.
# Usage: experiments/streamed-ttfa.sh [OUT_DIR]   (about 3 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/streamed-ttfa}
mkdir -p "$OUT"
AZURE=../shared/traces/AzureLLMInferenceTrace_conv.csv
[ -f "$OUT/conv.jsonl" ] || bin/cornserve trace convert --format azure-llm "$AZURE" --out "$OUT/conv.jsonl"
bin/cornserve trace transform "$OUT/conv.jsonl" --scale-tokens 0.25 --out "$OUT/scaled.jsonl"
jq -c -s '.[200:220] | to_entries | map(.value + {arrival_s: (.key * 4), app: "voice",
    output_modalities: ["text", "audio"]}) | .[]' "$OUT/scaled.jsonl" > "$OUT/voice.jsonl"
jq '.stream_chunk_tokens = 0' runtime/src/main/resources/org/cornserve/runtime/control/tiny-omni-cpu.json \
    > "$OUT/whole.json"
jq '.stream_chunk_tokens = 1' runtime/src/main/resources/org/cornserve/runtime/control/tiny-omni-cpu.json \
    > "$OUT/streamed.json"
uptime | tee "$OUT/uptime.txt"
pids=()
for side in whole streamed; do
    bin/cornserve serve --plan "$OUT/$side.json" --port 0 --devices cpu:2 >"$OUT/$side-serve.out" 2>"$OUT/$side-serve.err" &
    pids+=($!)
done
for side in whole streamed; do
    for _ in $(seq 1 600); do
        grep -q '^listening on ' "$OUT/$side-serve.out" 2>/dev/null && break
        sleep 0.5
    done
done
replays=()
for side in whole streamed; do
    url=$(sed -n 's/^listening on //p' "$OUT/$side-serve.out")
    bin/cornserve replay --url "$url" --app voice --trace "$OUT/voice.jsonl" --out "$OUT/$side" >"$OUT/$side-replay.out" 2>&1 &
    replays+=($!)
done
wait "${replays[@]}"
kill -TERM "${pids[@]}"
wait "${pids[@]}" || true
uptime | tee -a "$OUT/uptime.txt"
for side in whole streamed; do
    echo "$side: $(jq -c '.speech.ttfa_ms | {mean, p50, p90, p99}' "$OUT/$side/summary.json")"
done
python3 - "$OUT" <<'PY'
import csv, statistics, sys
out = sys.argv[1]
ttfa = {}
for side in ("whole", "streamed"):
    rows = list(csv.DictReader(open(f"{out}/{side}/requests.csv")))
    ttfa[side] = [(int(r["first_audio_ns"]) - int(r["arrival_ns"])) / 1e6 for r in rows]
ratios = [s / w for s, w in zip(ttfa["streamed"], ttfa["whole"])]
print("per request streamed / whole: median %.3f, streamed sooner in %d of %d"
      % (statistics.median(ratios), sum(r < 1 for r in ratios), len(ratios)))
PY
