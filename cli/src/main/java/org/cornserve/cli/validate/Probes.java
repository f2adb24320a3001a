package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.ProfileBook;

/**
 * The probes run on the served plan before each replay ({@link #probe}), and what is read from their requests and
 * steps: the per-request overhead, the per-step round trip, the prefill and decode speeds against the profile and
 * the extra per decode sequence. Their traces are {@link ProbeTraces}.
 */
public final class Probes {
    private Probes() {
    }

    /**
     * Measures the overheads the replay will see, as the simulator accounts for them ({@code counts} of each probe's
     * requests; the defaults named here): {@value ProbeTraces#PROBES} requests, one at a time on the idle server,
     * replayed by {@code cornserve replay} as the measured replay is (the same client in this JVM, streamed chat
     * completions, synthesised prompts) at the trace's quartile prompt lengths, then a shape probe ({@link
     * ProbeTraces#SHAPE_PROBES} idle requests at the slice's short and long lengths, {@link ProbeTraces#shapeLengths}:
     * the prefill's speed by length, {@link #prefillCurve}), a decode probe under load ({@link
     * ProbeTraces#DECODE_PROBES} requests with long answers) and a batch probe ({@link ProbeTraces#batchProbeTrace}:
     * the extra per decode sequence, {@link ServedCostsFit#batchExtraMsPerSequence}). The per-step round trip is the
     * median over the decode probe's served decode steps of busy less compute (the control plane's command, report and
     * event loop around the executor's compute, {@link #chargedRoundTripMs}); the per-request overhead charged is the
     * decode probe's ({@link #decodeProbeOverhead}); the idle probe's line beside it is the served TTFT less the
     * simulator's TTFT of the same request without request overhead (one prefill of its prompt, {@link
     * ProfileCharges#prefillMs}, plus that round trip). Writes {@code overhead.csv}, {@code steps.csv} and {@code
     * steps.json} into {@code probeDir}.
     *
     * @param steps attached to the served runtime, not recording yet
     * @return the per-request overhead charged (ms), the per-step round trip charged (ms), the overhead per prompt
     *     token (ms), the prefill and decode speeds against the profile, the idle probe's own round trip (ms), its
     *     own overhead (ms) and the extra per decode sequence (ms, NaN where too few steps); and the prefill's speed
     *     by prompt length (null without measured prefills)
     */
    record Probed(double[] values, org.cornserve.model.profile.PrefillScaleCurve prefillCurve) {
    }

    static Probed probe(String url, String model, ResolvedPlan plan, ProfileBook profiles, Path trace,
            Path probeDir, StepRecorder steps, StepRecorder shapeSteps, StepRecorder decodeSteps,
            StepRecorder batchSteps, ProbeCounts counts, Consumer<String> status) throws IOException {
        long[] lengths = ProbeTraces.probeLengths(ProbeTraces.textTokens(trace));
        double longest = ProfileCharges.prefillMs(model, plan, profiles, lengths[lengths.length - 1]);
        double gapSeconds = Math.max(0.25, 4 * longest / 1e3);
        Files.createDirectories(probeDir);
        Path probeTrace = probeDir.resolve("probe.jsonl");
        Files.writeString(probeTrace, ProbeTraces.probeTrace(lengths, gapSeconds, counts.idle()));
        status.accept(String.format(Locale.ROOT, "probing the per-request overhead (%d idle streamed requests of %s"
                + " prompt tokens, %.2f s apart)...", counts.idle(), Arrays.toString(lengths), gapSeconds));
        steps.start();
        Validation.replay(url, model, probeTrace, probeDir);
        steps.stop();
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(probeDir.resolve("steps.json").toFile(),
                Validation.writeSteps(steps, plan, profiles, probeDir.resolve("steps.csv")));
        // the prefill's speed at the slice's short and long prompts too, one at a time as the idle probe's
        long[] shape = ProbeTraces.shapeLengths(ProbeTraces.textTokens(trace),
                ProfileCharges.longestPrefillPoint(model, plan, profiles) - Validation.PROMPT_OVERHEAD_TOKENS, lengths);
        long[] shapePrompts = new long[shape.length == 0 ? 0 : counts.shape()];
        double[] shapeComputed = null;
        if (shape.length > 0) {
            Path shapeTrace = probeDir.resolve("shape-probe.jsonl");
            Files.writeString(shapeTrace, ProbeTraces.shapeProbeTrace(shape,
                    t -> ProfileCharges.prefillMs(model, plan, profiles, t), counts.shape()));
            status.accept(String.format(Locale.ROOT, "probing the prefill's speed at %s prompt tokens too (%d idle"
                    + " streamed requests)...", Arrays.toString(shape), counts.shape()));
            shapeSteps.start();
            Validation.replay(url, model, shapeTrace, probeDir.resolve("shape-probe"));
            shapeSteps.stop();
            Validation.writeSteps(shapeSteps, plan, profiles, probeDir.resolve("shape-probe-steps.csv"));
            for (int i = 0; i < shapePrompts.length; i++) {
                shapePrompts[i] = shape[i % shape.length] + Validation.PROMPT_OVERHEAD_TOKENS;
            }
            shapeComputed = probePrefillComputeMs(shapeSteps.served(), shapePrompts);
        }
        // decode under load, before the overhead is worked out (it takes this probe's round trip): a few requests one
        // after another with long answers, so the executors decode without the idle probe's pauses (its decode steps
        // ran 10% fast to 42% slow against a loaded replay's)
        Path decodeTrace = probeDir.resolve("decode-probe.jsonl");
        Files.writeString(decodeTrace, ProbeTraces.decodeProbeTrace(lengths[0], counts.decode()));
        status.accept(String.format(Locale.ROOT, "probing decode under load (%d streamed requests of %d prompt tokens"
                + " and %d answer tokens, %.2f s apart)...", counts.decode(), lengths[0],
                ProbeTraces.DECODE_PROBE_OUTPUT_TOKENS, ProbeTraces.DECODE_PROBE_GAP_S));
        decodeSteps.start();
        Validation.replay(url, model, decodeTrace, probeDir.resolve("decode-probe"));
        decodeSteps.stop();
        java.util.Map<String, Object> decodeSummary = Validation.writeSteps(decodeSteps, plan, profiles,
                probeDir.resolve("decode-probe-steps.csv"));
        // decode steps of several sequences: what each sequence beyond the first costs beyond the profile's point
        Path batchTrace = probeDir.resolve("batch-probe.jsonl");
        Files.writeString(batchTrace, ProbeTraces.batchProbeTrace(lengths[0], counts.batchGroups()));
        status.accept(String.format(Locale.ROOT, "probing decode steps of several sequences (%d groups of %d streamed"
                + " requests of %d prompt tokens arriving together, answers of %s tokens, %.2f s apart)...",
                counts.batchGroups(), ProbeTraces.BATCH_PROBE_ANSWERS.length, lengths[0],
                Arrays.toString(ProbeTraces.BATCH_PROBE_ANSWERS), ProbeTraces.BATCH_PROBE_GAP_S));
        batchSteps.start();
        Validation.replay(url, model, batchTrace, probeDir.resolve("batch-probe"));
        batchSteps.stop();
        Path batchCsv = probeDir.resolve("batch-probe-steps.csv");
        Validation.writeSteps(batchSteps, plan, profiles, batchCsv);
        double decodeScale = decodeScale(decodeSummary);
        double extraMsPerSequence = ServedCostsFit.batchExtraMsPerSequence(ServedCostsFit.read(batchCsv), decodeScale);
        // the speed charged: the probe's outside its slow spells (the extra per sequence stays against its mean, as
        // fitted)
        double decodeSpeed = decodeProbeSpeed(ServedCostsFit.read(probeDir.resolve("decode-probe-steps.csv")),
                decodeScale);
        // the round trip charged per step: the decode probe's (executors kept busy, as in a loaded replay) where it has
        // decode steps, else the idle probe's own
        double idleRoundTripMs = StepRecorder.roundTripMs(steps.served());
        double roundTripMs = chargedRoundTripMs(steps.served(), decodeSteps.served());
        int idle = counts.idle();
        double[] served = servedTtftMs(probeDir.resolve("requests.csv"), idle);
        long[] promptTokens = new long[idle];
        for (int i = 0; i < idle; i++) {
            // the server prefills the chat markup too, as the simulation will (simulateArgs)
            promptTokens[i] = lengths[i % lengths.length] + Validation.PROMPT_OVERHEAD_TOKENS;
        }
        double[] computed = probePrefillComputeMs(steps.served(), promptTokens);
        double[] profiled = new double[idle];
        double[] simulated = new double[idle];
        double[] inside = new double[idle];
        double[] tokens = new double[idle];
        StringBuilder csv = new StringBuilder("request,text_tokens,prompt_tokens,served_ttft_ms,prefill_compute_ms,"
                + "round_trip_ms,simulated_ttft_ms,overhead_ms\n");
        for (int i = 0; i < idle; i++) {
            double profilePrefillMs = ProfileCharges.prefillMs(model, plan, profiles, promptTokens[i]);
            profiled[i] = profilePrefillMs;
            simulated[i] = profilePrefillMs + roundTripMs;
            // time inside the engine: the prefill's own measured compute where the probe's steps give it (an idle
            // executor's first step runs slower than its profile, and that is not overhead), else the profile's
            inside[i] = (computed == null ? profilePrefillMs : computed[i]) + roundTripMs;
            tokens[i] = promptTokens[i];
            csv.append(String.format(Locale.ROOT, "%d,%d,%d,%.4f,%s,%.4f,%.4f,%.4f%n", i, lengths[i % lengths.length],
                    promptTokens[i], served[i], computed == null ? "" : String.format(Locale.ROOT, "%.4f",
                            computed[i]), roundTripMs, simulated[i], served[i] - inside[i]));
        }
        Files.writeString(probeDir.resolve("overhead.csv"), csv);
        double[] line = overheadLine(tokens, served, inside);
        double[] charged = decodeProbeOverhead(probeDir, decodeSteps.served(), lengths[0], roundTripMs, line,
                counts.decode());
        // the prefill's speed by prompt length: the idle probe's lengths and the shape probe's, each where its
        // prefills lined up with its requests
        long[] curveTokens = computed == null ? new long[0] : promptTokens;
        double[] curveComputed = computed == null ? new double[0] : computed;
        double[] curveProfiled = computed == null ? new double[0] : profiled;
        if (shapeComputed != null) {
            double[] shapeProfiled = Arrays.stream(shapePrompts)
                    .mapToDouble(t -> ProfileCharges.prefillMs(model, plan, profiles, t)).toArray();
            StringBuilder shapeCsv = new StringBuilder("request,prompt_tokens,prefill_compute_ms,profile_ms\n");
            for (int i = 0; i < shapePrompts.length; i++) {
                shapeCsv.append(String.format(Locale.ROOT, "%d,%d,%.4f,%.4f%n", i, shapePrompts[i], shapeComputed[i],
                        shapeProfiled[i]));
            }
            Files.writeString(probeDir.resolve("shape-probe.csv"), shapeCsv);
            curveTokens = concat(curveTokens, shapePrompts);
            curveComputed = concat(curveComputed, shapeComputed);
            curveProfiled = concat(curveProfiled, shapeProfiled);
        }
        org.cornserve.model.profile.PrefillScaleCurve curve = prefillCurve(curveTokens, curveComputed, curveProfiled);
        return new Probed(new double[] {charged[0], roundTripMs, charged[1], prefillScale(computed, profiled),
            decodeSpeed, idleRoundTripMs, line[0], extraMsPerSequence}, curve);
    }

    /**
     * The per-request overhead charged: the median over the decode probe's requests of their served TTFT less their
     * prefill's measured compute and the round trip (as the idle probe's is worked out), written to {@code
     * probeDir/decode-overhead.csv}; the idle probe's {@code idleLine} where the decode probe's prefills do not line up
     * with its requests. No slope in the prompt tokens: the decode probe's prompts are all one length.
     *
     * <p>Why the decode probe's: its requests follow each other 0.2 s apart, each after the last one's hundred ms of
     * decoding, where the idle probe's reach a server idle for a quarter second; the replays imply an overhead of 4
     * to 7 ms where the idle probe charged 8 to 12, and the served TTFT of prompts under 150 tokens lay 2.4 to 6.2 ms
     * below the simulated in ten of eleven kept runs. Re-simulated with the decode probe's overhead, fourteen kept
     * runs' TTFT P50 errors went from a mean absolute 12.1% to 7.6% (experiments/validation-tails.md, section 11).
     *
     * @return the overhead in ms and its slope in ms per prompt token
     */
    static double[] decodeProbeOverhead(Path probeDir, List<StepRecorder.ServedStep> decodeSteps, long promptTokens,
            double roundTripMs, double[] idleLine, int requests) throws IOException {
        long[] prompts = new long[requests];
        Arrays.fill(prompts, promptTokens + Validation.PROMPT_OVERHEAD_TOKENS);
        double[] computed = probePrefillComputeMs(decodeSteps, prompts);
        if (computed == null) {
            return idleLine;
        }
        double[] served = servedTtftMs(probeDir.resolve("decode-probe").resolve("requests.csv"), requests);
        double[] inside = new double[requests];
        StringBuilder csv = new StringBuilder("request,prompt_tokens,served_ttft_ms,prefill_compute_ms,round_trip_ms,"
                + "overhead_ms\n");
        for (int i = 0; i < requests; i++) {
            inside[i] = computed[i] + roundTripMs;
            csv.append(String.format(Locale.ROOT, "%d,%d,%.4f,%.4f,%.4f,%.4f%n", i, prompts[i], served[i], computed[i],
                    roundTripMs, served[i] - inside[i]));
        }
        Files.writeString(probeDir.resolve("decode-overhead.csv"), csv);
        return new double[] {overheadMs(served, inside), 0};
    }

    /**
     * The per-step round trip the simulation charges: the median over the decode probe's decode steps where it has
     * any, else the idle probe's. The idle probe's requests leave the executors idle for a quarter second or more
     * between them, and their first steps after a pause come back slower: in four served runs of 2026-12-05 with the
     * decode probe 0.2 s apart (a 1,000-request validation and three demos), the idle probe's median was 16%, 34%, 84%
     * and 85% above the replay's decode steps' median, the decode probe's 8%, 28%, 16% and 7%
     * (experiments/validation-tails.md, section 11). The idle probe's round trip is still written beside it.
     */
    static double chargedRoundTripMs(List<StepRecorder.ServedStep> idle, List<StepRecorder.ServedStep> loaded) {
        boolean decoded = loaded.stream().anyMatch(s -> s.step() instanceof
                org.cornserve.planner.schedule.batch.Step.LlmStep l && l.prefillTokens() == 0);
        return StepRecorder.roundTripMs(decoded ? loaded : idle);
    }

    /**
     * The decode probe's mean speed against the profile (the batch probe's extra per sequence is measured against it;
     * the prediction charges its requests' 25th percentile, {@link #decodeProbeSpeed}): its steps' measured compute
     * summed over the profile's charge summed, over the steps that ran while no other executor computed (those that did
     * are charged the host-sharing slowdown apart), from a {@link StepRecorder#write} summary; 1 without such steps.
     * The probe keeps the executors decoding (one request in flight at a time, 32 reports each), as a loaded replay
     * does, where the idle probe's four decode steps a request ran 10% fast to 42% slow against the replay's. The first
     * {@value StepRecorder#AFTER_PREFILL_STEPS} steps after each prefill are left out where the summary has the rest
     * ({@code alone_steady_sum_compute_over_sum_simulated}): they pay to refill the caches and the simulation charges
     * them at the served costs' after-prefill ratio.
     *
     * <p>The sum, not the median of the steps (until 2026-12-06 what the prediction charged): a served decode step runs
     * slow now and then (compute over its charge at P90 1.3 to 1.4 of P50 in a quiet replay), so the steps' mean lies
     * 2% to 17% above their median, and a request's time per token is a sum over its steps, as an engine's busy time
     * (and so the queueing behind it) is. Charged at the median, five 1,000-request validations re-simulated came out
     * fast at TPOT P50 in four (-18.5% to +6.9%) and at E2E P90 in all five; at the sum, their mean absolute error over
     * the nine latency cells went from 8.9% to 7.9% and TPOT's from 15.6% to 12.7% (experiments/validation-tails.md,
     * section 11).
     */
    static double decodeScale(java.util.Map<String, Object> summary) {
        Object d = summary.get("decode_only");
        if (!(d instanceof java.util.Map<?, ?> decode)) {
            return 1;
        }
        Object steady = decode.get("alone_steady_sum_compute_over_sum_simulated");
        Object sum = steady != null ? steady : decode.get("alone_sum_compute_over_sum_simulated");
        if (!(sum instanceof Number s) || !(s.doubleValue() > 0) || Double.isInfinite(s.doubleValue())) {
            return 1;
        }
        return s.doubleValue();
    }

    /** The decode probe's requests that {@link #decodeProbeSpeed} needs before it takes their quantile. */
    static final int MIN_DECODE_PROBE_REQUESTS = 4;

    /** The quantile of the decode probe's requests' speeds charged ({@link #decodeProbeSpeed}). */
    static final double DECODE_PROBE_QUANTILE = 0.25;

    /**
     * The speed the prediction charges decodes at, from the decode probe's steps ({@code decode-probe-steps.csv}): each
     * request's steady decode-only steps (past the first {@code StepRecorder.AFTER_PREFILL_STEPS} after its prefill,
     * alone as the probe's summary counts them: others computing less than a tenth of the step), their summed compute
     * over their summed charge (a request's time per token is a sum over its steps), and over the requests the {@value
     * #DECODE_PROBE_QUANTILE} quantile (linear between order statistics): the probe's speed outside its slow spells, as
     * the prefill probe takes its tenth percentile where it met one ({@link #prefillScale}). The served costs'
     * replay-over-probe ratio of decodes is fitted on it. {@code fallback} (the probe's summed speed, {@link
     * #decodeScale}) with fewer than {@value #MIN_DECODE_PROBE_REQUESTS} requests.
     *
     * <p>Why not the sum over all its steps: the machine's speed moves at sub-second scale, and a spell of a second or
     * two within the probe's few seconds moved the sum by up to half (r27 of 2026-12-06, replay 1: its last twelve
     * requests ran at twice the first twelve's time, the sum charged 1.61 of the profile where the replay ran at 1.12).
     * Over the eighteen replays of r17 to r22, each estimate times its own replay-over-probe ratio fitted there,
     * against the replay's steady decode speed (log error): the sum 0.128 mean absolute (0.157 root mean square), the
     * requests' median 0.142, their trimmed mean 0.132, their 25th percentile 0.104 (0.127); on the fifteen replays of
     * r23 to r27, not in the fit, 0.095, 0.094, 0.098 and 0.077 (0.135 and 0.099 root mean square; at most 0.41 and
     * 0.21) (experiments/validation-tails.md, section 18).
     */
    static double decodeProbeSpeed(List<ServedCostsFit.Row> steps, double fallback) {
        List<Double> speeds = new ArrayList<>();
        double compute = 0;
        double charge = 0;
        for (ServedCostsFit.Row r : steps) {
            if (!r.decodeOnly()) {
                if (charge > 0) {
                    speeds.add(compute / charge);
                }
                compute = 0;
                charge = 0;
            } else if (r.afterPrefill() > StepRecorder.AFTER_PREFILL_STEPS && r.othersComputing() < 0.1
                    && r.simulatedMs() > 0) {
                compute += r.computeMs();
                charge += r.simulatedMs();
            }
        }
        if (charge > 0) {
            speeds.add(compute / charge);
        }
        if (speeds.size() < MIN_DECODE_PROBE_REQUESTS) {
            return fallback;
        }
        double[] v = speeds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return org.cornserve.simulator.config.ServedStepCosts.quantileAt(v, DECODE_PROBE_QUANTILE);
    }

    /**
     * The decode speed replay {@code k} of the validation output {@code run} is charged at: the build's rule ({@link
     * #decodeProbeSpeed}) on its kept decode probe's steps ({@code measured[-k]-probe/decode-probe-steps.csv}), so that
     * a run kept from before a change of the rule is judged by the new one; {@code kept} (the figure the run charged)
     * where its probe's steps were not kept. {@code validate --resimulate} and {@code TailReport probe-level} call it.
     */
    static double keptDecodeSpeed(Path run, int k, double kept) throws IOException {
        Path measured = Validation.replayDir(run.resolve("measured"), k);
        Path steps = Validation.probeDir(measured).resolve("decode-probe-steps.csv");
        return Files.isRegularFile(steps) ? decodeProbeSpeed(ServedCostsFit.read(steps), kept) : kept;
    }

    /**
     * The speed the served engine's prefills ran at, against the profile: over the probe's requests, their prefill's
     * measured compute over the profile's charge for it, at the median; 1 without measured prefills. The probe runs
     * right before the replay, on the served executors, with synthesised prompts (none of the judged requests), so
     * the simulation is charged at the machine's speed of that minute rather than the profiler's: on this project's
     * VM the same profile point moved by up to a third from one minute to the next.
     *
     * <p>Where the ratios spread (the median more than {@value #PREFILL_SPREAD} above the tenth percentile), a slow
     * spell of the machine caught part of the probe, and the tenth percentile (the probe outside it) is charged
     * instead. Over ten served runs of 2026-12-05 (experiments/validation-tails.md, section 10) the profile alone
     * charged prefills 4% to 21% off the replay's own speed (mean 9.2%); the probe's median 1% to 7% off in eight,
     * but 24% and 25% in the two whose probe met a slow spell (spread 21% and 23%; the other eight 4% to 11%); with
     * the rule 1% to 7% in all ten (mean 2.8%). The threshold was chosen on those same ten runs. Decode is measured
     * apart, under load ({@link #decodeScale}): the idle probe's decode steps ran 10% fast to 42% slow against the
     * replay's.
     *
     * <p>Tried and not kept (2026-12-05): where the ratios spread, letting the decode probe's prefills (later, nearer
     * the replay) pick between the tenth percentile and the median. It fixed the one run it was drawn from (a slow
     * kind that went on into the replay) and charged the next two runs' prefills 20% and 22% slow, where the tenth
     * percentile was within 5% (experiments/validation-tails.md, section 11).
     */
    static double prefillScale(double[] computedMs, double[] profileMs) {
        if (computedMs == null || computedMs.length == 0) {
            return 1;
        }
        double[] ratio = new double[computedMs.length];
        for (int i = 0; i < ratio.length; i++) {
            if (!(computedMs[i] > 0) || !(profileMs[i] > 0)) {
                return 1;
            }
            ratio[i] = computedMs[i] / profileMs[i];
        }
        if (ratio.length == 1) {
            return ratio[0];
        }
        Arrays.sort(ratio);
        double median = Validation.median(ratio);
        double p10 = org.cornserve.simulator.config.ServedStepCosts.quantileAt(ratio, 0.10);
        return median - p10 > PREFILL_SPREAD * median ? p10 : median;
    }

    /** How far (a share of the median) the probe's median prefill ratio may lie above its tenth percentile. */
    static final double PREFILL_SPREAD = 0.15;

    /**
     * The measured compute of each probe request's prefill: the probe sends its requests one at a time, so its
     * prefill steps, in the order they ended, are its requests' in order, each of the request's prompt tokens; null
     * when the steps do not line up with the requests that way (then the profile's charge stands in).
     */
    static double[] probePrefillComputeMs(List<StepRecorder.ServedStep> steps, long[] promptTokens) {
        List<StepRecorder.ServedStep> prefills = steps.stream().filter(s -> s.step()
                instanceof org.cornserve.planner.schedule.batch.Step.LlmStep l && l.prefillTokens() > 0)
                .sorted(java.util.Comparator.comparingLong(StepRecorder.ServedStep::endNanos)).toList();
        if (prefills.size() != promptTokens.length) {
            return null;
        }
        double[] ms = new double[promptTokens.length];
        for (int i = 0; i < ms.length; i++) {
            var l = (org.cornserve.planner.schedule.batch.Step.LlmStep) prefills.get(i).step();
            if (l.prefillTokens() != promptTokens[i] || l.decodeSequences() > 0) {
                return null;
            }
            ms[i] = prefills.get(i).computeNanos() / 1e6;
        }
        return ms;
    }

    /**
     * The per-request overhead as a line in the prompt's tokens, from idle probes: the least-squares fit of served
     * TTFT less simulated TTFT against the prompt tokens, {@code {intercept ms, ms per token}}. The served overhead
     * grows with the prompt (tokenizing, building and moving it: experiments/validation-tails.md); where the fit's
     * slope is not positive (or the probes have one length), the median overhead ({@link #overheadMs}) and no slope.
     * The intercept is never below 0.
     */
    static double[] overheadLine(double[] tokens, double[] servedTtftMs, double[] simulatedTtftMs) {
        double median = overheadMs(servedTtftMs, simulatedTtftMs);
        org.apache.commons.math3.stat.regression.SimpleRegression fit =
                new org.apache.commons.math3.stat.regression.SimpleRegression();
        for (int i = 0; i < tokens.length; i++) {
            fit.addData(tokens[i], servedTtftMs[i] - simulatedTtftMs[i]);
        }
        double slope = fit.getSlope();
        if (!(slope > 0)) {
            return new double[] {median, 0};
        }
        return new double[] {Math.max(0, fit.getIntercept()), slope};
    }

    /**
     * The per-request overhead from idle probes: the median over requests of served TTFT less the simulated TTFT
     * (without overhead) of the same request, never below 0 (the simulator cannot take time away).
     */
    static double overheadMs(double[] servedTtftMs, double[] simulatedTtftMs) {
        if (servedTtftMs.length != simulatedTtftMs.length || servedTtftMs.length == 0) {
            throw new IllegalArgumentException("probe: " + servedTtftMs.length + " served against "
                    + simulatedTtftMs.length + " simulated times");
        }
        double[] d = new double[servedTtftMs.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = servedTtftMs[i] - simulatedTtftMs[i];
        }
        return Math.max(0, Validation.median(d));
    }

    /**
     * The served prefill speed against the profile by prompt length: per distinct prompt length among the probes'
     * requests ({@code promptTokens}, the chat markup counted), {@link #prefillScale} of their measured compute over
     * the profile's charge (the median, or the tenth percentile where a slow spell spread them), as a {@link
     * PrefillScaleCurve}; null without measured prefills.
     */
    static org.cornserve.model.profile.PrefillScaleCurve prefillCurve(long[] promptTokens, double[] computedMs,
            double[] profileMs) {
        if (computedMs == null || computedMs.length == 0) {
            return null;
        }
        java.util.TreeMap<Long, List<double[]>> byLength = new java.util.TreeMap<>();
        for (int i = 0; i < promptTokens.length; i++) {
            byLength.computeIfAbsent(promptTokens[i], t -> new ArrayList<>()).add(new double[] {computedMs[i],
                profileMs[i]});
        }
        List<Long> tokens = new ArrayList<>();
        List<Double> scales = new ArrayList<>();
        byLength.forEach((t, pairs) -> {
            double scale = prefillScale(pairs.stream().mapToDouble(p -> p[0]).toArray(), pairs.stream().mapToDouble(
                    p -> p[1]).toArray());
            tokens.add(t);
            scales.add(scale);
        });
        // as validation.json keeps it: a re-judgment (validate --resimulate) reads back what the live run charged
        return new org.cornserve.model.profile.PrefillScaleCurve(tokens, scales).asWritten();
    }

    private static long[] concat(long[] a, long[] b) {
        return java.util.stream.LongStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    }

    private static double[] concat(double[] a, double[] b) {
        return java.util.stream.DoubleStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    }

    /** Each request's TTFT from a replay's {@code requests.csv}, by request id; every one must have completed. */
    static double[] servedTtftMs(Path requestsCsv, int count) throws IOException {
        List<String> lines = Files.readAllLines(requestsCsv);
        List<String> header = lines.isEmpty() ? List.of() : List.of(lines.get(0).split(",", -1));
        int id = header.indexOf("request_id");
        int st = header.indexOf("status");
        int ttft = header.indexOf("ttft_ms");
        if (id < 0 || st < 0 || ttft < 0) {
            throw new IllegalArgumentException(requestsCsv + ":1: needs request_id, status and ttft_ms columns");
        }
        double[] out = new double[count];
        Arrays.fill(out, Double.NaN);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (!f[st].equals("completed")) {
                throw new IllegalStateException(requestsCsv + ":" + (i + 1) + ": probe request " + f[id] + " "
                        + f[st] + ", not completed");
            }
            out[Integer.parseInt(f[id])] = Double.parseDouble(f[ttft]);
        }
        for (int i = 0; i < count; i++) {
            if (Double.isNaN(out[i])) {
                throw new IllegalStateException(requestsCsv + ": probe request " + i + " has no row");
            }
        }
        return out;
    }
}
