#!/usr/bin/env bash
# usage: runtime/scripts/voice-wavs.sh CHECKOUT LABEL  [PLAN=plan.json in the environment; default: the embedded plan]
# Serves the plan with CHECKOUT's bin/cornserve on port 0, sends one voice request (audio in; text and WAV out,
# temperature 0) 3 times to warm up, 12 times one after another, then 3 rounds of 4 at once; prints the latencies
# (P50, max) and how many distinct WAVs came back (1 when the spoken answer does not depend on timing).
set -u
WT=$(cd "$1" && pwd); LABEL=$2; OUT=${TMPDIR:-/tmp}/voice-wavs/$LABEL; mkdir -p $OUT; rm -f $OUT/*
python3 - "$OUT" <<'PY'
import wave, struct, math, base64, json, sys
out = sys.argv[1]
with wave.open(out + '/in.wav', 'wb') as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
    w.writeframes(b''.join(struct.pack('<h', int(8000 * math.sin(2 * math.pi * 440 * i / 16000))) for i in range(16000)))
data = base64.b64encode(open(out + '/in.wav', 'rb').read()).decode()
json.dump({"model": "tiny-omni", "max_tokens": 8, "temperature": 0, "modalities": ["text", "audio"],
           "messages": [{"role": "user", "content": [{"type": "text", "text": "Answer me"},
                        {"type": "input_audio", "input_audio": {"format": "wav", "data": data}}]}]},
          open(out + '/voice.json', 'w'))
PY
(cd $WT && exec bin/cornserve serve --port 0 ${PLAN:+--plan $PLAN} > $OUT/serve.log 2>&1) & SP=$!
for i in $(seq 1 120); do grep -q "listening on" $OUT/serve.log 2>/dev/null && break; sleep 1; done
URL=$(grep -o "http://127.0.0.1:[0-9]*" $OUT/serve.log | head -1)
req() { curl -s -m 40 -o $OUT/r$1.json -w "%{time_total}\n" -H 'Content-Type: application/json' --data @$OUT/voice.json $URL/v1/chat/completions; }
for i in $(seq 1 3); do req w$i > /dev/null; done
for i in $(seq 1 12); do req s$i >> $OUT/seq.txt; done
for r in 1 2 3; do P=(); for j in 1 2 3 4; do req c$r$j >> $OUT/conc.txt & P+=($!); done; wait ${P[@]}; done
kill -INT $SP; wait $SP 2>/dev/null
python3 - "$OUT" "$LABEL" <<'PY'
import sys, json, glob, hashlib, base64, statistics
out, label = sys.argv[1], sys.argv[2]
seq = sorted(float(x) for x in open(out+'/seq.txt'))
conc = sorted(float(x) for x in open(out+'/conc.txt'))
hashes = {}
for f in sorted(glob.glob(out+'/r*.json')):
    m = json.load(open(f))['choices'][0]['message']
    h = hashlib.sha256(base64.b64decode(m['audio']['data'])).hexdigest()[:12]
    hashes.setdefault(h, []).append(f.split('/')[-1][1:-5])
print(label, 'sequential P50 %.1f ms max %.1f ms; 4 at once P50 %.1f ms max %.1f ms; distinct WAVs %d %s' % (
    1000*statistics.median(seq), 1000*seq[-1], 1000*statistics.median(conc), 1000*conc[-1], len(hashes),
    {h: len(v) for h, v in hashes.items()}))
PY
