# Sourced by the re-simulation scripts of this folder (after D and T are set): the JDK, the CLI jar, `report`
# (TailReport), `sim RUN PROFILES OUT [ARGS...]` (simulate a kept run's plan and trace into $T/OUT), what the kept
# runs were simulated with, and which run each parameter is fitted on: q2 and final take the extra per sequence from
# fc8's loaded steps, fc8 takes it from q2's; the compute-ratio and round-trip tables come from each run's own idle
# probe (final kept none: it takes q2's, the same 2 x 1-slot plan).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
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
# what the kept runs were simulated with (validation.json; final predates the step round trip)
args_q2=(--request-overhead-ms 15.2663 --step-overhead-ms 0.6232 --tokens-per-report 4)
args_fc8=(--request-overhead-ms 18.6226 --step-overhead-ms 0.6349 --tokens-per-report 4)
args_final=(--request-overhead-ms 4.9813 --tokens-per-report 4)
probe_q2=q2; probe_fc8=fc8; probe_final=q2
loaded_q2=fc8; loaded_fc8=q2; loaded_final=fc8
