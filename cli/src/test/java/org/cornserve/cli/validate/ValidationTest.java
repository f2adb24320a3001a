package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.cornserve.cli.CornserveMain;
import org.cornserve.model.json.Json;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.runtime.control.Runtimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {
    static final String PLAN = "../runtime/src/main/resources/org/cornserve/runtime/control/tiny-omni-cpu.json";

    @TempDir
    Path tmp;

    static JsonNode summary(double rps, double ttft50, double tpot99) throws Exception {
        String pct = "{\"p50\": %s, \"p90\": %s, \"p99\": %s}";
        return Json.mapper().readTree("{\"throughput_rps\": " + rps + ", \"ttft_ms\": " + pct.formatted(ttft50, 20, 30)
                + ", \"tpot_ms\": " + pct.formatted(1, 2, tpot99) + ", \"e2e_ms\": " + pct.formatted(100, 200, 300) + "}");
    }

    @Test
    void rowsHoldSimulatedMeasuredAndTheRelativeError() throws Exception {
        List<Comparison.Row> rows = Comparison.compare(summary(8, 11, 4), summary(10, 10, 5));
        assertEquals(Comparison.METRICS, rows.stream().map(Comparison.Row::metric).toList());
        assertEquals(new Comparison.Row("throughput_rps", 8, 10, -0.2), rows.get(0));
        assertEquals(0.1, rows.get(1).error(), 1e-12);
        assertEquals(-0.2, rows.get(6).error(), 1e-12);
        assertEquals(0, rows.get(9).error());
        String table = Comparison.table(rows);
        assertTrue(table.contains("ttft_ms.p50") && table.contains("+10.0%") && table.contains("-20.0%"), table);
        ValidationFile.write(tmp.resolve("validation.json"), rows, new Served(7.5, 0.5, java.util.Map.of(), null),
                null);
        JsonNode back = Json.mapper().readTree(tmp.resolve("validation.json").toFile());
        assertEquals(7.5, back.path("request_overhead_ms").asDouble());
        assertEquals("ttft_ms.p50", back.path("rows").get(1).path("metric").asText());
        assertEquals(0.1, back.path("rows").get(1).path("error").asDouble(), 1e-12);
    }

    /**
     * validation.json records the machine served on: this one, or where a kept run is judged again the one it
     * recorded (a kept file of an earlier build says it recorded none); a profile measured on another machine is
     * warned about, naming the file and both machines.
     */
    @Test
    void theMachineServedOnIsRecordedAndAProfileOfAnotherIsWarnedAbout() throws Exception {
        var rows = Comparison.compare(summary(8, 11, 4), summary(10, 10, 5));
        var served = new Served(1, 1, java.util.Map.of(), null);
        ValidationFile.write(tmp.resolve("here.json"), rows, List.of(), served, null);
        JsonNode here = Json.mapper().readTree(tmp.resolve("here.json").toFile()).path(ValidationFile.MACHINE_FIELD);
        var cpu = org.cornserve.model.hardware.CpuInfo.detect();
        org.junit.jupiter.api.Assumptions.assumeTrue(cpu.isPresent(), "no /proc/cpuinfo on this machine");
        assertEquals(cpu.get().identity(), here.path("identity").asText());
        assertEquals(cpu.get().vectorBits(), here.path("vector_bits").asInt());
        // judged again: the kept run's machine, not this one
        JsonNode kept = Json.mapper().readTree("{\"identity\": \"Some CPU (family 6, model 143), 2 cores,"
                + " 512-bit vectors\"}");
        Files.writeString(tmp.resolve("kept.json"), "{\"machine\": " + kept + "}");
        assertEquals(kept, ValidationFile.keptMachine(tmp.resolve("kept.json")));
        ValidationFile.write(tmp.resolve("again.json"), rows, List.of(), served, null,
                java.util.Map.of(ValidationFile.MACHINE_FIELD, ValidationFile.keptMachine(tmp.resolve("kept.json"))));
        assertEquals(kept, Json.mapper().readTree(tmp.resolve("again.json").toFile())
                .path(ValidationFile.MACHINE_FIELD));
        Files.writeString(tmp.resolve("old.json"), "{\"rows\": []}");
        assertEquals("not recorded in " + tmp.resolve("old.json"),
                ValidationFile.keptMachine(tmp.resolve("old.json")).asText());
        // profiles: another machine warned about, this one and an unrecorded one not
        String set = "{\"model\": \"tiny-omni\", \"hardware\": \"cpu\", \"profiles\": [], \"measurement\": %s}";
        Path other = tmp.resolve("other-profiles.json");
        Files.writeString(other, set.formatted("{\"machine\": " + kept + "}"));
        String warning = ValidationFile.profileMachineWarning(other).orElseThrow();
        assertTrue(warning.contains(other.toString()) && warning.contains("Some CPU (family 6, model 143)")
                && warning.contains(cpu.get().identity()), warning);
        Path same = tmp.resolve("same-profiles.json");
        Files.writeString(same, set.formatted("{\"machine\": {\"identity\": \"" + cpu.get().identity() + "\"}}"));
        assertTrue(ValidationFile.profileMachineWarning(same).isEmpty());
        Path unrecorded = tmp.resolve("old-profiles.json");
        Files.writeString(unrecorded, set.formatted("{}"));
        assertTrue(ValidationFile.profileMachineWarning(unrecorded).isEmpty());
    }

    /** The interval's ends are the order statistics of ranks n p -+ 1.96 sqrt(n p (1 - p)), worked by hand. */
    @Test
    void aPercentilesIntervalIsTheOrderStatisticsAroundItsRank() {
        double[] v = java.util.stream.IntStream.rangeClosed(1, 1000).asDoubleStream().toArray();
        // P99: sd = sqrt(9.9) = 3.146; ranks floor(990 - 6.17) = 983 and ceil(990 + 6.17) + 1 = 998
        assertArrayEquals(new double[] {983, 998}, Comparison.percentileInterval(v, 0.99));
        // P50: sd = 15.81; ranks floor(500 - 30.99) = 469 and ceil(530.99) + 1 = 532
        assertArrayEquals(new double[] {469, 532}, Comparison.percentileInterval(v, 0.5));
        assertArrayEquals(new double[] {7, 7}, Comparison.percentileInterval(new double[] {7}, 0.99));
        assertTrue(Double.isNaN(Comparison.percentileInterval(new double[0], 0.5)[0]));
    }

    /**
     * Over seeded samples of 1,000 requests from a heavy-tailed law (log-normal, sigma 1.2) whose quantiles are known,
     * the interval holds the true P50, P90 and P99 as often as the binomial law of the count below it says (95% or a
     * little more: the ranks are whole numbers).
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.9, 0.99})
    void theIntervalCoversTheTruePercentileAsOftenAsTheBinomialSays(double p) {
        var law = new org.apache.commons.math3.distribution.LogNormalDistribution(
                new org.apache.commons.math3.random.Well19937c(42), 0, 1.2);
        double truth = law.inverseCumulativeProbability(p);
        int trials = 2000;
        int covered = 0;
        for (int t = 0; t < trials; t++) {
            double[] v = law.sample(1000);
            java.util.Arrays.sort(v);
            double[] ci = Comparison.percentileInterval(v, p);
            if (ci[0] <= truth && truth <= ci[1]) {
                covered++;
            }
        }
        // the reference: the interval [X(lo), X(hi)] holds the true quantile when lo <= K <= hi - 1 of the samples lie
        // at or below it, K ~ Binomial(1000, p); its ends come from the ranks of the 1..1000 sample
        double[] ranks = Comparison.percentileInterval(java.util.stream.IntStream.rangeClosed(1, 1000)
                .asDoubleStream().toArray(), p);
        var k = new org.apache.commons.math3.distribution.BinomialDistribution(1000, p);
        double exact = k.cumulativeProbability((int) ranks[1] - 1) - k.cumulativeProbability((int) ranks[0] - 1);
        assertTrue(exact >= 0.95, "at least 95% by construction: " + exact);
        double coverage = covered / (double) trials;
        double sd = Math.sqrt(exact * (1 - exact) / trials);
        assertEquals(exact, coverage, 4 * sd, "coverage over " + trials + " samples");
    }

    /** Served latency rows get the served requests' intervals, and validation.json and the table carry them. */
    @Test
    void validationRowsCarryTheServedIntervals() throws Exception {
        Path requests = tmp.resolve("requests.csv");
        StringBuilder csv = new StringBuilder("request_id,trace_request_id,app,status,arrival_ns,first_output_ns,"
                + "completion_ns,ttft_ms,tpot_ms,e2e_ms,input_tokens,output_tokens,reason,stages,first_audio_ns,"
                + "audio_seconds\n");
        for (int i = 1; i <= 1000; i++) {
            csv.append(i).append(",,a,completed,0,0,0,").append(i).append(',').append(i / 100.0).append(',')
                    .append(10 * i).append(",10,").append(i == 1 ? 1 : 5).append(",,,,\n");
        }
        csv.append("1001,,a,rejected,0,0,0,,,,10,5,full,,,\n");
        Files.writeString(requests, csv);
        List<Comparison.Row> rows = Comparison.withServedIntervals(Comparison.compare(summary(8, 480, 9.9),
                summary(10, 500, 9.9)), requests);
        assertEquals(null, rows.get(0).measuredLow(), "no interval for throughput");
        Comparison.Row ttft50 = rows.get(1);
        assertEquals(469, ttft50.measuredLow(), 1e-12);
        assertEquals(532, ttft50.measuredHigh(), 1e-12);
        assertTrue(ttft50.withinInterval(), "480 in [469, 532]");
        // TPOT over the 999 requests of two or more output tokens (2 .. 1000, / 100)
        double[] tpot = java.util.stream.IntStream.rangeClosed(2, 1000).mapToDouble(i -> i / 100.0).toArray();
        assertArrayEquals(Comparison.percentileInterval(tpot, 0.99), new double[] {rows.get(6).measuredLow(),
            rows.get(6).measuredHigh()}, 1e-12);
        assertEquals(false, rows.get(9).withinInterval(), "a simulated 300 ms against e2e [9830, 9980]");
        String table = Comparison.table(rows);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("ttft_ms.p50") && l.contains("[469.00, 532.00]")
                && l.endsWith("yes")) && table.contains("measured 95% interval"), table);
        ValidationFile.write(tmp.resolve("v.json"), rows, List.of(), new Served(1, 1, java.util.Map.of(), null),
                null);
        JsonNode back = Json.mapper().readTree(tmp.resolve("v.json").toFile()).path("rows");
        assertFalse(back.get(0).has("measured_low"));
        assertEquals(469, back.get(1).path("measured_low").asDouble(), 1e-12);
        assertTrue(back.get(1).path("within_interval").asBoolean());
        assertFalse(back.get(9).path("within_interval").asBoolean());
    }

    @Test
    void servedStepsAreHeldAgainstTheSimulatorsChargeForTheSameStep() throws Exception {
        // a cost of 1 ms per iteration plus 0.01 ms per prefill token and 0.001 ms per decode context token
        org.cornserve.model.profile.LlmCost cost = new org.cornserve.model.profile.LlmCost() {
            @Override
            public double iterationSeconds(long p, long pc, int ds, long dc) {
                return (1 + 0.01 * p + 0.001 * dc) / 1e3;
            }

            @Override
            public long kvBytesPerToken() {
                return 1;
            }
        };
        StepRecorder rec = new StepRecorder();
        var prefill = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 100, 5050, 0, 0, 1);
        var decode = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 0, 0, 2, 1000, 4);
        rec.stepStarted(0, 0, prefill, 0); // before start(): not recorded
        rec.stepEnded(0, 0, 1, 1, new long[0], 0);
        rec.start();
        rec.stepStarted(0, 0, prefill, 0);
        rec.stepStarted(0, 1, decode, 0);
        rec.stepEnded(0, 1, 9_000_000, 8_060_000, new long[0], 0); // decode: sim (1+1)+(1+1.002)+(1+1.004)+(1+1.006)=8.012 ms
        rec.stepEnded(0, 0, 3_000_000, 2_400_000, new long[0], 0); // prefill: sim 2 ms
        assertEquals(2, rec.served().size());
        assertEquals(8.012e-3, StepRecorder.simulated(decode, cost), 1e-12);
        // both reports reach the loop at 0: the prefill computed in [-2.4, 0] ms, inside the decode's [-8.06, 0] ms
        java.util.Map<String, Object> summary = StepRecorder.write(rec.served(), (d, t) -> cost, List.of(1.0, 1.5),
                tmp.resolve("steps.csv"));
        @SuppressWarnings("unchecked")
        var withPrefill = (java.util.Map<String, Object>) summary.get("with_prefill");
        assertEquals(1, withPrefill.get("steps"));
        assertEquals(1.2, ((java.util.Map<?, ?>) withPrefill.get("compute_over_simulated")).get("p50"));
        assertEquals(1.5, ((java.util.Map<?, ?>) withPrefill.get("busy_over_simulated")).get("p50"));
        // with host sharing: the prefill overlapped the decode all along (x1.5: 2.4 / 3 ms), the decode for 2.4 of its
        // 8.06 ms (mean factor 1 + 0.5 x 2.4 / 8.06)
        assertEquals(0.8, (Double) ((java.util.Map<?, ?>) withPrefill.get("compute_over_simulated_shared")).get("p50"),
                1e-9);
        assertEquals(1, withPrefill.get("steps_overlapped"));
        assertEquals(0, withPrefill.get("steps_alone"));
        @SuppressWarnings("unchecked")
        var decodeOnly = (java.util.Map<String, Object>) summary.get("decode_only");
        assertEquals(8.06 / 8.012, (Double) ((java.util.Map<?, ?>) decodeOnly.get("compute_over_simulated")).get("p99"),
                1e-9);
        assertEquals(8.06 / (8.012 * (1 + 0.5 * 2.4 / 8.06)), (Double) ((java.util.Map<?, ?>) decodeOnly
                .get("compute_over_simulated_shared")).get("p50"), 1e-9);
        assertEquals(3, java.nio.file.Files.readAllLines(tmp.resolve("steps.csv")).size());
        // the round trip around the compute: decode 9 - 8.06 ms (charged: the decode-only steps'), prefill 3 - 2.4 ms
        assertEquals(0.94, StepRecorder.roundTripMs(rec.served()), 1e-9);
        assertEquals(0.6, StepRecorder.roundTripMs(rec.served().subList(1, 2)), 1e-9, "no decode step: every step's");
        assertEquals(0.6, (Double) ((java.util.Map<?, ?>) withPrefill.get("round_trip_ms")).get("p50"), 1e-9);
        assertTrue(java.nio.file.Files.readAllLines(tmp.resolve("steps.csv")).get(0)
                .endsWith(",decided_ms,round_trip_ms,gap_before_ms,outside_cores"));
        String table = Comparison.stepsTable(new Served(0, 0, summary, null));
        assertTrue(table.contains("served with prefill steps:    1; measured compute / simulated: P50 1.20"), table);
    }

    /**
     * The decode probe's speed is the ratio of the sums over its lone decode steps: seeded decode steps of 4
     * iterations (4 ms charged each), mostly near the charge and now and then slow, against the sums worked by hand,
     * the two steps right after a prefill left out; the median of the ratios lies below it.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void theDecodeScaleIsTheLoneStepsSummedComputeOverTheirSummedCharge(int seed) throws Exception {
        org.cornserve.model.profile.LlmCost cost = millisecondAnIteration();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        StepRecorder rec = new StepRecorder();
        rec.start();
        var decode = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 0, 0, 1, 10, 4);
        long now = 0;
        // a prefill, then the two decode steps after it, slow (the caches it left cold): charged apart at the
        // after-prefill ratio, so left out of the speed
        var prefill = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 10, 55, 0, 0, 1);
        rec.stepStarted(0, 0, prefill, now);
        now += 1_200_000;
        rec.stepEnded(0, 0, 1_200_000, 1_000_000, new long[0], now);
        for (int i = 0; i < 2; i++) {
            rec.stepStarted(0, 0, decode, now);
            now += 20_200_000;
            rec.stepEnded(0, 0, 20_200_000, 20_000_000, new long[0], now);
        }
        long computeSum = 0;
        int n = 200;
        for (int i = 0; i < n; i++) {
            long compute = rnd.nextDouble() < 0.1 ? 6_000_000 + rnd.nextLong(6_000_000)
                    : 3_600_000 + rnd.nextLong(800_000);
            computeSum += compute;
            rec.stepStarted(0, 0, decode, now);
            now += compute + 200_000;
            rec.stepEnded(0, 0, compute + 200_000, compute, new long[0], now);
        }
        var summary = StepRecorder.write(rec.served(), (d, t) -> cost, List.of(), tmp.resolve("d.csv"));
        double bySum = computeSum / 1e6 / (4.0 * n);
        assertEquals(bySum, Probes.decodeScale(summary), 1e-9);
        @SuppressWarnings("unchecked")
        var all = (java.util.Map<String, Object>) summary.get("decode_only");
        assertEquals((computeSum / 1e6 + 40) / (4.0 * (n + 2)), (Double) all.get("alone_sum_compute_over_sum_simulated"),
                1e-9, "all the lone decode steps");
        @SuppressWarnings("unchecked")
        var decodeOnly = (java.util.Map<String, Object>) summary.get("decode_only");
        double median = (Double) ((java.util.Map<?, ?>) decodeOnly.get("alone_compute_over_simulated")).get("p50");
        assertTrue(median < bySum, median + " against " + bySum);
    }

    /**
     * The served speed window by window: summed compute over summed charge, prefills and decodes apart; a window
     * without steps of a kind keeps the last speed, the first ones take the first speed seen, a kind never seen runs at
     * 1; a bad row is named by file and line.
     */
    @Test
    void theServedSpeedIsSummedWindowByWindow() throws Exception {
        Path csv = tmp.resolve("steps.csv");
        String header = StepRecorder.CSV_HEADER + "\n";
        Files.writeString(csv, header
                + "0,0,2,0,1,100,4,4.0,4.2,4.0,0,4.0,100,0.2,,\n" // window 0: decode 4 / 4
                + "0,0,2,0,1,100,4,6.0,6.2,4.0,0,4.0,9000,0.2,0.1,\n" // window 0: decode 10 / 8
                + "0,0,2,100,0,0,1,30.0,31,20.0,0,20.0,12000,1,0.1,\n" // window 1: prefill 30 / 20
                // the two decode steps right after a prefill are charged apart (the after-prefill ratio): left out
                + "0,0,2,0,1,101,4,50.0,50.2,4.0,0,4.0,22000,0.2,0.1,\n"
                + "0,0,2,0,1,105,4,50.0,50.2,4.0,0,4.0,23000,0.2,0.1,\n"
                + "0,0,2,0,2,300,4,9.0,9.3,10.0,0,10.0,35000,0.3,0.1,\n"); // window 3: decode 9 / 10
        var trace = SpeedTraces.speedTrace(csv, 10);
        assertEquals(10, trace.windowSeconds());
        assertEquals(List.of(1.5, 1.5, 1.5, 1.5), trace.prefill(), "the one prefill window, before and after it");
        assertEquals(List.of(1.25, 1.25, 1.25, 0.9), trace.decode());
        // with an extra of 0.25 ms per sequence beyond the first per iteration charged on top: window 0's decodes
        // (1 sequence) keep 10 / 8, window 3's (2 x 4 iterations) 9 / (10 + 1), the prefill (itself, 0 decoding) 1.5
        var extra = SpeedTraces.speedTrace(csv, 10, 0.25, null);
        assertEquals(List.of(1.25, 1.25, 1.25, 9 / 11.0), extra.decode());
        assertEquals(List.of(1.5, 1.5, 1.5, 1.5), extra.prefill());
        Files.writeString(csv, header + "0,0,2,64,1,100,1,11.0,11.2,10.0,0,10.0,100,0.2,,\n");
        assertEquals(List.of(11 / 10.25), SpeedTraces.speedTrace(csv, 10, 0.25, null).prefill(),
                "a prefill beside a decoding sequence pays one extra");
        // the simulation charges a prefill by the probes' shape of its tokens: the speed is measured against that
        // charge, so that a window of long prompts (shape 1.2: slower than the slice's mean) is not slowed twice
        Files.writeString(csv, header + "0,0,2,1000,0,0,1,24.0,24.2,20.0,0,20.0,100,0.2,,\n"
                + "0,0,2,100,0,0,1,9.0,9.2,10.0,0,10.0,200,0.2,,\n"
                + "0,0,2,0,1,100,4,4.0,4.2,4.0,0,4.0,300,0.2,,\n");
        var shape = org.cornserve.model.profile.PrefillScaleCurve.parse("100=0.9,1000=1.2");
        assertEquals(List.of(33 / 30.0), SpeedTraces.speedTrace(csv, 10, 0, null).prefill());
        assertEquals(List.of(33 / (20 * 1.2 + 10 * 0.9)), SpeedTraces.speedTrace(csv, 10, 0, shape).prefill());
        assertEquals(List.of(1.0), SpeedTraces.speedTrace(csv, 10, 0, shape).decode(), "decodes keep their charge");
        // a decode charged by a shape of its sequences (1.25 at one, 0.8 at two): measured against that charge
        var decodes = org.cornserve.model.profile.PrefillScaleCurve.parse("1=1.25,2=0.8");
        Path d = tmp.resolve("decodes.csv");
        Files.writeString(d, header + "0,0,2,0,1,100,4,4.0,4.2,4.0,0,4.0,100,0.2,,\n"
                + "0,0,2,0,2,200,4,6.0,6.2,5.0,0,5.0,200,0.2,0,\n");
        assertEquals(List.of(10 / 9.0), SpeedTraces.speedTrace(d, 10).decode());
        assertEquals(List.of(10 / (4 * 1.25 + 5 * 0.8)), SpeedTraces.speedTrace(d, 10, 0, 0, null, decodes).decode());
        // the simulation charges a prefill right after a prefill at the served costs' ratio (here 0.9): the second
        // step was decided as the first ended (0 + 500 ms busy), so its charge of 10 is 9 here too
        Files.writeString(csv, header + "0,0,2,1000,0,0,1,12.0,500.0,10.0,0,10.0,0,0.2,,\n"
                + "0,0,2,1000,0,0,1,9.0,9.0,10.0,0,10.0,500,0.2,0,\n");
        assertEquals(List.of(21 / 20.0), SpeedTraces.speedTrace(csv, 10, 0, 0, null).prefill(), "0: no ratio");
        assertEquals(List.of(21 / 19.0), SpeedTraces.speedTrace(csv, 10, 0, 0.9, null).prefill());
        assertEquals(List.of(21 / (12 + 12 * 0.9)), SpeedTraces.speedTrace(csv, 10, 0, 0.9, shape).prefill(),
                "with the shape (1.2 at 1,000 tokens) too");
        Files.writeString(csv, header + "0,0,2,0,1,100,4,4.0,4.2,5.0,0,5.0,100,0.2,,\n");
        assertEquals(List.of(1.0), SpeedTraces.speedTrace(csv, 10).prefill(), "no prefill seen: 1");
        assertEquals(List.of(0.8), SpeedTraces.speedTrace(csv, 10).decode());
        Files.writeString(csv, header + "0,0,2,x,1,100,4,4.0,4.2,5.0,0,5.0,100,0.2,,\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SpeedTraces.speedTrace(csv, 10)).getMessage()
                .contains("steps.csv:2: bad step row"));
        Files.writeString(csv, "deployment,replica\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SpeedTraces.speedTrace(csv, 10)).getMessage()
                .contains("steps.csv:1: no column"));
    }

    /** A cost model of 1 ms an iteration, whatever it holds. */
    static org.cornserve.model.profile.LlmCost millisecondAnIteration() {
        return new org.cornserve.model.profile.LlmCost() {
            @Override
            public double iterationSeconds(long p, long pc, int ds, long dc) {
                return 1e-3;
            }

            @Override
            public long kvBytesPerToken() {
                return 1;
            }
        };
    }

    /** steps.csv: a replica's next step is decided some time after its last report reached the loop. */
    @Test
    void theGapBeforeAStepRunsFromTheReplicasLastReportToItsDecision() throws Exception {
        org.cornserve.model.profile.LlmCost cost = millisecondAnIteration();
        StepRecorder rec = new StepRecorder();
        rec.start();
        var decode = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 0, 0, 1, 10, 4);
        rec.stepStarted(0, 0, decode, 0);
        rec.stepEnded(0, 0, 5_000_000, 4_000_000, new long[0], 5_000_000); // decided at 0, reported at 5 ms
        rec.stepStarted(0, 0, decode, 5_250_000);
        rec.stepEnded(0, 0, 4_750_000, 4_500_000, new long[0], 10_000_000); // decided at 5.25 ms
        StepRecorder.write(rec.served(), (d, t) -> cost, List.of(), tmp.resolve("steps.csv"));
        List<String> lines = Files.readAllLines(tmp.resolve("steps.csv"));
        assertTrue(lines.get(1).endsWith(",0.0000,1.0000,,"), lines.get(1));
        assertTrue(lines.get(2).endsWith(",5.2500,0.2500,0.2500,"), lines.get(2));
        assertEquals(0.625, StepRecorder.roundTripMs(rec.served()), 1e-9);
        Served served = new Served(12.5, 0.625, java.util.Map.of(), null);
        assertEquals(List.of("--request-overhead-ms", "12.5000", "--step-overhead-ms", "0.6250",
                "--tokens-per-report", "4", "--prompt-overhead-tokens", "18", "--compute-only-profiles"),
                served.simulateArgs());
    }

    /** The probe's simulated TTFT of a request is what the simulator gives an isolated request without overhead. */
    @Test
    void theProbesSimulatedTtftIsTheSimulatorsForAnIsolatedRequest() throws Exception {
        long[] lengths = {20, 90, 300};
        Path trace = tmp.resolve("iso.jsonl");
        Files.writeString(trace, ProbeTraces.probeTrace(lengths, 2.0, ProbeTraces.PROBES));
        simulate(trace, tmp.resolve("iso"));
        double[] simulated = Probes.servedTtftMs(tmp.resolve("iso/requests.csv"), ProbeTraces.PROBES);
        for (int i = 0; i < ProbeTraces.PROBES; i++) {
            double mine = ProfileCharges.prefillMs("tiny-omni", Runtimes.defaultPlan(), ProfileBook.EMPTY,
                    lengths[i % 3]);
            assertTrue(mine > 0, "prefill " + mine);
            assertEquals(simulated[i], mine, 1e-3 * simulated[i], "request " + i + " of " + lengths[i % 3]
                    + " tokens");
        }
    }

    /**
     * The warm-up is synthetic: prompts alternate between the quartile lengths in turn and short ones, every tenth
     * answer is long, and each request arrives its prefill's charge times 1.5 plus 10 ms after the one before
     * (checked against a fake charge of 0.1 ms a token, by hand); the simulator reads it as a trace.
     */
    /** JSONL records of {@code text_tokens} 10 + i, arrivals i / 2 s, for i in [from, to). */
    private static String records(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append(String.format(java.util.Locale.ROOT, "{\"arrival_s\":%.1f,\"app\":\"default\","
                    + "\"text_tokens\":%d,\"output_tokens\":5}%n", i / 2.0, 10 + i));
        }
        return b.toString();
    }

    @Test
    void theCalibrationTraceIsTheRequestsAfterTheJudgedSliceShiftedToStartAtZero() throws Exception {
        Path slice = tmp.resolve("slice.jsonl");
        Path longer = tmp.resolve("longer.jsonl");
        Path out = tmp.resolve("calibration.jsonl");
        Files.writeString(slice, records(0, 3));
        Files.writeString(longer, records(0, 3 + 80));
        assertEquals(60, ProbeTraces.writeCalibrationTrace(longer, slice, 60, out));
        List<String> lines = Files.readAllLines(out);
        assertEquals(60, lines.size());
        // request 3 of the cut first, at 0 s; request 62 last, 29.5 s after it
        JsonNode head = Json.mapper().readTree(lines.get(0));
        JsonNode tail = Json.mapper().readTree(lines.get(59));
        assertEquals(13, head.get("text_tokens").asInt());
        assertEquals(0.0, head.get("arrival_s").asDouble(), 1e-9);
        assertEquals(72, tail.get("text_tokens").asInt());
        assertEquals(29.5, tail.get("arrival_s").asDouble(), 1e-9);
        // all that is left when fewer than asked
        assertEquals(80, ProbeTraces.writeCalibrationTrace(longer, slice, 500, out));
        // too few beyond the slice: none, and nothing written
        Files.delete(out);
        Files.writeString(longer, records(0, 3 + ProbeTraces.MIN_CALIBRATION_REQUESTS - 1));
        assertEquals(0, ProbeTraces.writeCalibrationTrace(longer, slice, 300, out));
        assertFalse(Files.exists(out));
        // a cut that does not begin with the slice's requests is refused, naming the line
        Files.writeString(longer, records(0, 2) + records(5, 90));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProbeTraces.writeCalibrationTrace(longer, slice, 60, out));
        assertTrue(e.getMessage().contains("longer.jsonl:3"), e.getMessage());
        assertTrue(e.getMessage().contains("slice.jsonl"), e.getMessage());
    }

    @Test
    void theWarmUpIsSyntheticAndSpacedByEachPrefillsCharge() throws Exception {
        long[] quartiles = {40, 120, 300};
        String warm = ProbeTraces.warmupTrace(quartiles, 20, tokens -> 0.1 * tokens);
        List<JsonNode> rows = warm.lines().map(l -> {
            try {
                return Json.mapper().readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertEquals(20, rows.size());
        double at = 0;
        for (int i = 0; i < rows.size(); i++) {
            long prompt = i % 2 == 0 ? quartiles[(i / 2) % 3] : ProbeTraces.WARMUP_SHORT_PROMPT;
            assertEquals(prompt, rows.get(i).get("text_tokens").asLong(), "request " + i);
            assertEquals(i % 10 == 9 ? ProbeTraces.WARMUP_LONG_OUTPUT_TOKENS : ProbeTraces.WARMUP_OUTPUT_TOKENS,
                    rows.get(i).get("output_tokens").asInt(), "request " + i);
            assertEquals(at, rows.get(i).get("arrival_s").asDouble(), 1e-6, "request " + i);
            at += (1.5 * 0.1 * (prompt + Validation.PROMPT_OVERHEAD_TOKENS) + 10) / 1e3;
        }
        Path trace = ProbeTraces.writeWarmupTrace(Runtimes.defaultPlan(), ProfileBook.EMPTY, writeSlice(), 12,
                tmp.resolve("w/warmup.jsonl"));
        simulate(trace, tmp.resolve("w/sim"));
        assertEquals(13, Files.readAllLines(tmp.resolve("w/sim/requests.csv")).size());
    }

    /** Runs {@code simulate} of the embedded plan on {@code trace} into {@code out}, quietly; it must succeed. */
    private static void simulate(Path trace, Path out, String... more) {
        StringWriter err = new StringWriter();
        var cl = CornserveMain.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        List<String> args = new java.util.ArrayList<>(List.of("simulate", "--plan", PLAN, "--trace", trace.toString(),
                "--out", out.toString()));
        args.addAll(List.of(more));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
    }

    private Path writeSlice() throws java.io.IOException {
        Path slice = tmp.resolve("slice.jsonl");
        Files.writeString(slice, ProbeTraces.probeTrace(new long[] {30, 60, 90}, 0.5, ProbeTraces.PROBES));
        return slice;
    }

    /** Fewer than half the probes disturbed by any amount: the overhead is exactly the undisturbed difference. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void theOverheadIsTheMedianDifferenceAndIgnoresAMinorityOfOutliers(long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        int n = 1 + rnd.nextInt(40);
        double overhead = 20 * rnd.nextDouble();
        double[] sim = new double[n];
        double[] served = new double[n];
        for (int i = 0; i < n; i++) {
            sim[i] = 100 * rnd.nextDouble();
            served[i] = sim[i] + overhead;
        }
        for (int k = 0; k < (n - 1) / 2; k++) {
            served[rnd.nextInt(n)] += (rnd.nextBoolean() ? 1 : -1) * 1000 * rnd.nextDouble();
        }
        // the disturbed ones may repeat an index; the rest (more than half) sit exactly at the overhead
        assertEquals(overhead, Probes.overheadMs(served, sim), 1e-9);
    }

    @Test
    void theOverheadIsAnEvenCountsMiddlePairsMeanAndNeverNegative() {
        assertEquals(6.5, Probes.overheadMs(new double[] {10, 20, 30, 40}, new double[] {4, 13, 23, 35}), 1e-12);
        assertEquals(0, Probes.overheadMs(new double[] {1, 2, 3}, new double[] {5, 5, 5}));
        assertThrows(IllegalArgumentException.class, () -> Probes.overheadMs(new double[] {1}, new double[] {}));
    }

    @Test
    void theProbeTakesTheTracesQuartilePromptLengthsOnceEach() {
        assertArrayEquals(new long[] {20, 50, 70}, ProbeTraces.probeLengths(List.of(80L, 10L, 50L, 20L, 90L, 0L, 60L,
                30L, 70L)));
        assertArrayEquals(new long[] {7}, ProbeTraces.probeLengths(List.of(7L, 7L, 7L)));
        assertArrayEquals(new long[] {1}, ProbeTraces.probeLengths(List.of(0L)));
        assertThrows(IllegalArgumentException.class, () -> ProbeTraces.probeLengths(List.of()));
    }

    @Test
    void aProbeThatDidNotCompleteIsAnErrorNamingItsLine() throws Exception {
        Path csv = tmp.resolve("requests.csv");
        Files.writeString(csv, "request_id,status,ttft_ms\n1,completed,5.5\n0,failed,\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Probes.servedTtftMs(csv, 2));
        assertTrue(e.getMessage().contains("requests.csv:3: probe request 0 failed"), e.getMessage());
        Files.writeString(csv, "request_id,status,ttft_ms\n1,completed,5.5\n");
        e = assertThrows(IllegalStateException.class, () -> Probes.servedTtftMs(csv, 2));
        assertTrue(e.getMessage().contains("probe request 0 has no row"), e.getMessage());
    }

    /** The simulator's per-request overhead delays each request by exactly that much when nothing queues. */
    @Test
    void requestOverheadShiftsIsolatedRequestsByItsLength() throws Exception {
        Path trace = tmp.resolve("t.jsonl");
        Files.writeString(trace, """
                {"arrival_s":0,"app":"default","text_tokens":40,"output_tokens":5}
                {"arrival_s":2,"app":"default","text_tokens":40,"output_tokens":5}
                {"arrival_s":4,"app":"default","text_tokens":40,"output_tokens":5}
                """);
        for (String overhead : List.of("0", "6.5")) {
            simulate(trace, tmp.resolve("o" + overhead), "--request-overhead-ms", overhead);
        }
        JsonNode plain = Json.mapper().readTree(tmp.resolve("o0/summary.json").toFile());
        JsonNode delayed = Json.mapper().readTree(tmp.resolve("o6.5/summary.json").toFile());
        for (String m : List.of("ttft_ms", "e2e_ms")) {
            assertEquals(plain.path(m).path("p50").asDouble() + 6.5, delayed.path(m).path("p50").asDouble(), 0.01, m);
        }
        assertEquals(plain.path("tpot_ms").path("p50").asDouble(), delayed.path("tpot_ms").path("p50").asDouble(),
                1e-9);
    }

    @Test
    void sliceArgumentsFollowTheOptionsGiven() {
        assertEquals(List.of("trace", "transform", "in.csv", "--format", "azure-llm", "--window", "0:10", "--rate",
                "4.0", "--scale-tokens", "0.25", "--first", "50", "--out", "s.jsonl"), List.of(ValidateCommand.sliceArgs(
                        Path.of("in.csv"), "azure-llm", "0:10", 4.0, 0.25, 50L, Path.of("s.jsonl"))));
    }

    /**
     * The prefill speed the simulation is charged at: the median of the probe's measured prefill compute over the
     * profile's charge (by hand), 1 without measured prefills or with a non-positive one; simulate is told it.
     */
    @Test
    void thePrefillScaleIsTheMedianOfTheProbesComputeOverTheProfile() {
        assertEquals(1.1, Probes.prefillScale(new double[] {12, 33, 22}, new double[] {10, 30, 20}),
                1e-12);
        assertEquals((1.1 + 1.2) / 2, Probes.prefillScale(new double[] {11, 24, 10, 30},
                new double[] {10, 20, 10, 20}), 1e-12);
        assertEquals(1, Probes.prefillScale(null, new double[] {10}));
        // a slow spell over most of the probe: ratios 1.2 (x 7) above 0.9 (x 3); the median 1.2 lies 25% above the
        // tenth percentile (0.9), so that percentile is charged
        double[] spell = {12, 12, 12, 9, 12, 12, 12, 9, 12, 9};
        double[] ten = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
        assertEquals(0.9, Probes.prefillScale(spell, ten), 1e-12);
        // linear between order statistics: at 0.3 of 10 sorted values, 0.7 of the way from the third to the fourth
        assertEquals(0.9 + 0.7 * (1.2 - 0.9), org.cornserve.simulator.config.ServedStepCosts.quantileAt(new double[] {0.9, 0.9, 0.9, 1.2,
                1.2, 1.2, 1.2, 1.2,
                1.2, 1.2}, 0.3), 1e-12);
        assertEquals(1.2, org.cornserve.simulator.config.ServedStepCosts.quantileAt(new double[] {0.9, 1.2}, 1.0),
                1e-12);
        assertEquals(1.1, Probes.prefillScale(new double[] {11}, new double[] {10}), 1e-12,
                "one probe request");
        assertEquals(1, Probes.prefillScale(new double[] {0, 12}, new double[] {10, 10}));
        Served served = new Served(12.5, 0.625, java.util.Map.of(), null, null, 0, null, 1.0625,
                0.875);
        List<String> args = served.simulateArgs();
        assertEquals("1.0625", args.get(args.indexOf("--prefill-compute-scale") + 1));
        assertEquals("0.8750", args.get(args.indexOf("--decode-compute-scale") + 1));
        assertEquals(1.0625, served.withServedCosts(null).prefillComputeScale());
        assertEquals(0.875, served.withServedCosts(null).decodeComputeScale());
        // the decode scale: the decode probe's summed compute over its summed charge on the steps that ran alone; 1
        // without
        assertEquals(0.93, Probes.decodeScale(java.util.Map.of("decode_only", java.util.Map.of(
                "alone_sum_compute_over_sum_simulated", 0.93, "alone_compute_over_simulated", java.util.Map.of("p50",
                        0.8)))), 1e-12);
        assertEquals(1, Probes.decodeScale(java.util.Map.of()));
        assertEquals(24, ProbeTraces.decodeProbeTrace(99, ProbeCounts.DEFAULT.decode()).lines().count(),
                "24 requests: one alone is too noisy");
        assertFalse(new Served(12.5, 0.625, java.util.Map.of(), null).simulateArgs()
                .contains("--prefill-compute-scale"), "a scale of 1 is not passed");
        assertThrows(IllegalArgumentException.class, () -> new Served(1, 1, java.util.Map.of(), null, null,
                0, null, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Served(1, 1, java.util.Map.of(), null, null,
                0, null, 1, Double.NaN));
    }

    /**
     * The per-step round trip charged is the median over the decode steps: served steps with seeded, skewed round
     * trips (2% stalls) against the middle of their sorted round trips, by hand.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 99, 100, 101, 250, 1000})
    void theRoundTripIsTheMedian(int n) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(n);
        StepRecorder rec = new StepRecorder();
        rec.start();
        var decode = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 0, 0, 1, 10, 4);
        long[] tripNanos = new long[n];
        long now = 0;
        for (int i = 0; i < n; i++) {
            tripNanos[i] = rnd.nextDouble() < 0.02 ? 50_000_000 + rnd.nextLong(50_000_000) : rnd.nextLong(1_000_000);
            rec.stepStarted(0, 0, decode, now);
            now += 4_000_000 + tripNanos[i];
            rec.stepEnded(0, 0, 4_000_000 + tripNanos[i], 4_000_000, new long[0], now);
        }
        long[] sorted = tripNanos.clone();
        java.util.Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        assertEquals(median / 1e6, StepRecorder.roundTripMs(rec.served()), 1e-9);
    }

    /**
     * The round trip charged is the decode probe's where it ran decode steps (executors kept busy), else the idle
     * probe's: a loaded probe of one prefill step only leaves the idle probe's median.
     */
    @Test
    void theRoundTripChargedIsTheDecodeProbesWhereItDecoded() {
        var decode = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 0, 0, 1, 10, 4);
        var prefill = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 100, 0, 0, 0, 1);
        StepRecorder idle = recorded(decode, 600_000, 800_000, 700_000);
        StepRecorder loaded = recorded(decode, 200_000, 300_000, 250_000, 9_000_000);
        assertEquals(0.7, StepRecorder.roundTripMs(idle.served()), 1e-9);
        assertEquals(0.275, Probes.chargedRoundTripMs(idle.served(), loaded.served()), 1e-9);
        StepRecorder prefillOnly = recorded(prefill, 100_000);
        assertEquals(0.7, Probes.chargedRoundTripMs(idle.served(), prefillOnly.served()), 1e-9);
        assertEquals(0.7, Probes.chargedRoundTripMs(idle.served(), List.of()), 1e-9);
    }

    /** One served step of {@code step} per round trip, 4 ms of compute each. */
    private static StepRecorder recorded(org.cornserve.planner.schedule.batch.Step.LlmStep step, long... tripNanos) {
        StepRecorder rec = new StepRecorder();
        rec.start();
        long now = 0;
        for (long trip : tripNanos) {
            rec.stepStarted(0, 0, step, now);
            now += 4_000_000 + trip;
            rec.stepEnded(0, 0, 4_000_000 + trip, 4_000_000, new long[0], now);
        }
        return rec;
    }

    /** The probe's requests go one at a time: their prefill steps, in the order they ended, are theirs. */
    @Test
    void probeRequestsTakeTheirOwnPrefillsMeasuredComputeInOrder() {
        StepRecorder rec = new StepRecorder();
        rec.start();
        long t = 0;
        long[] prompts = {117, 274, 117};
        for (int i = 0; i < prompts.length; i++) {
            var prefill = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, prompts[i],
                    prompts[i] * (prompts[i] + 1) / 2, 0, 0, 1);
            rec.stepStarted(0, 0, prefill, t);
            t += 20_000_000;
            rec.stepEnded(0, 0, 6_000_000 + i, 5_000_000 + i * 1_000_000L, new long[0], t);
            var decode = new org.cornserve.planner.schedule.batch.Step.LlmStep(0, 0, 0, 1, prompts[i], 4);
            rec.stepStarted(0, 0, decode, t);
            t += 5_000_000;
            rec.stepEnded(0, 0, 3_000_000, 2_000_000, new long[0], t);
        }
        assertArrayEquals(new double[] {5, 6, 7}, Probes.probePrefillComputeMs(rec.served(), prompts), 1e-12);
        assertEquals(null, Probes.probePrefillComputeMs(rec.served(), new long[] {117, 274}), "a request short");
        assertEquals(null, Probes.probePrefillComputeMs(rec.served(), new long[] {117, 117, 274}),
                "prompts out of order: not these requests' steps");
    }

    /** A run folder holding {@code summary.json} (throughput only) and {@code requests.csv} of the given latencies. */
    private static Path run(Path dir, double rps, double[][] ttftTpotE2e, int[] outputTokens) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.json"), "{\"throughput_rps\": " + rps + "}");
        StringBuilder sb = new StringBuilder("request_id,status,arrival_ns,ttft_ms,tpot_ms,e2e_ms,input_tokens,"
                + "output_tokens\n");
        for (int i = 0; i < ttftTpotE2e.length; i++) {
            sb.append(i).append(",completed,").append(i * 1_000_000L).append(',').append(ttftTpotE2e[i][0]).append(',')
                    .append(ttftTpotE2e[i][1]).append(',').append(ttftTpotE2e[i][2]).append(",10,")
                    .append(outputTokens[i]).append('\n');
        }
        sb.append(ttftTpotE2e.length).append(",rejected,0,0,0,0,10,0\n"); // no latencies: left out
        Files.writeString(dir.resolve("requests.csv"), sb);
        return dir;
    }

    /**
     * Pooled replays: throughput the runs' mean; each percentile over every run's requests together, as one run
     * holding them all gives it, and that against nearest-rank percentiles worked out here (the recorder's
     * histogram holds three significant digits); TPOT leaves out one-token answers.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 7, 42})
    void replaysPoolTheirRequests(long seed) throws Exception {
        java.util.Random rnd = new java.util.Random(seed);
        int n = 300;
        double[][][] lat = new double[2][n][3];
        int[][] out = new int[2][n];
        for (int r = 0; r < 2; r++) {
            for (int i = 0; i < n; i++) {
                // the second replay slower: pooling must not be either run's own percentile
                double slow = r == 0 ? 1 : 1.7;
                lat[r][i] = new double[] {slow * (5 + 200 * rnd.nextDouble() * rnd.nextDouble()),
                    slow * (0.5 + 20 * Math.pow(rnd.nextDouble(), 6)), slow * (50 + 900 * rnd.nextDouble())};
                out[r][i] = rnd.nextInt(10) == 0 ? 1 : 2 + rnd.nextInt(60);
            }
        }
        List<Path> sim = List.of(run(tmp.resolve("s1"), 4, lat[0], out[0]), run(tmp.resolve("s2"), 3, lat[1], out[1]));
        List<Path> meas = List.of(run(tmp.resolve("m1"), 5, lat[1], out[1]), run(tmp.resolve("m2"), 4, lat[0], out[0]));
        List<Comparison.Row> rows = Comparison.pooled(sim, meas);
        assertEquals(Comparison.METRICS, rows.stream().map(Comparison.Row::metric).toList());
        assertEquals(3.5, rows.get(0).simulated(), 1e-12);
        assertEquals(4.5, rows.get(0).measured(), 1e-12);
        // the same requests on both sides, in other folders: every latency row agrees with itself
        for (Comparison.Row r : rows.subList(1, rows.size())) {
            assertEquals(r.measured(), r.simulated(), 1e-9, r.metric());
            assertTrue(r.withinInterval(), r.metric());
        }
        double[][] both = new double[2 * n][];
        int[] bothOut = new int[2 * n];
        for (int i = 0; i < n; i++) {
            both[i] = lat[0][i];
            both[n + i] = lat[1][i];
            bothOut[i] = out[0][i];
            bothOut[n + i] = out[1][i];
        }
        Path one = run(tmp.resolve("all"), 4.5, both, bothOut);
        List<Comparison.Row> single = Comparison.pooled(List.of(one), List.of(one));
        for (int m = 0; m < 3; m++) {
            int col = m;
            double[] v = java.util.stream.IntStream.range(0, 2 * n).filter(i -> col != 1 || bothOut[i] > 1)
                    .mapToDouble(i -> both[i][col]).sorted().toArray();
            for (int q = 0; q < 3; q++) {
                double p = new double[] {0.5, 0.9, 0.99}[q];
                Comparison.Row r = rows.get(1 + 3 * m + q);
                assertEquals(single.get(1 + 3 * m + q).measured(), r.measured(), 1e-9, r.metric());
                double nearestRank = v[(int) Math.ceil(p * v.length) - 1];
                assertEquals(nearestRank, r.measured(), 2e-3 * nearestRank, r.metric());
                double[] ci = Comparison.percentileInterval(v, p);
                assertEquals(ci[0], r.measuredLow(), 1e-9, r.metric());
                assertEquals(ci[1], r.measuredHigh(), 1e-9, r.metric());
            }
        }
        String table = Comparison.pooledTable(rows, List.of(Comparison.compare(summary(4, 10, 5), summary(5, 10, 5)),
                Comparison.compare(summary(3, 12, 5), summary(4, 10, 5))));
        assertTrue(table.contains("-20.0% -25.0%") && table.contains("4.00..5.00"), table);
    }

    @Test
    void pooledRunsPairUpAndReplayFoldersAreNumberedFromTheSecond() {
        Path m = Path.of("out", "measured");
        assertEquals(m, Validation.replayDir(m, 1));
        assertEquals(Path.of("out", "measured-3"), Validation.replayDir(m, 3));
        assertThrows(IllegalArgumentException.class, () -> Validation.replayDir(m, 0));
        assertThrows(IllegalArgumentException.class, () -> Comparison.pooled(List.of(m), List.of()));
    }

    @Test
    void validateRefusesFewerThanOneReplayBeforeServing() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = CornserveMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("validate", "--trace", tmp.resolve("none.jsonl").toString(), "--replays", "0", "--out",
                tmp.resolve("v").toString());
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("--replays must be at least 1, got 0"), err.toString());
        assertFalse(Files.exists(tmp.resolve("v")), "nothing started");
        StringWriter err2 = new StringWriter();
        cl.setErr(new PrintWriter(err2));
        assertEquals(2, cl.execute("validate", "--trace", tmp.resolve("none.jsonl").toString(), "--quiet-wait-s", "-1",
                "--out", tmp.resolve("v").toString()), err2.toString());
        assertTrue(err2.toString().contains("--quiet-wait-s must be in [0, 3600], got -1.0"), err2.toString());
        assertFalse(Files.exists(tmp.resolve("v")), "nothing started");
    }

    @Test
    void validateTakesATraceOrAKeptRunAndNamesAKeptRunThatIsNotOne() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = CornserveMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("validate", "--out", tmp.resolve("v").toString()), err.toString());
        assertTrue(err.toString().contains("give --trace"), err.toString());
        assertEquals(2, cl.execute("validate", "--trace", "t.jsonl", "--resimulate", tmp.toString(), "--out",
                tmp.resolve("v").toString()), err.toString());
        assertTrue(err.toString().contains("leave --trace out"), err.toString());
        Files.createDirectories(tmp.resolve("empty"));
        assertTrue(cl.execute("validate", "--resimulate", tmp.resolve("empty").toString(), "--out",
                tmp.resolve("v").toString()) != 0);
        assertTrue(err.toString().contains(tmp.resolve("empty").resolve("validation.json") + ": not found"),
                err.toString());
    }

    /**
     * simulate --extra-ms-per-sequence: the same run as a served costs file holding that extra, slower than without it
     * where sequences decode together (the batch probe's groups), and a negative value refused by name.
     */
    @Test
    void theExtraPerSequenceOptionChargesAsTheCostsFileWould() throws Exception {
        Path trace = tmp.resolve("batch.jsonl");
        Files.writeString(trace, ProbeTraces.batchProbeTrace(40, ProbeTraces.BATCH_PROBE_GROUPS));
        Path zero = tmp.resolve("zero.json");
        Files.writeString(zero, "{\"extra_ms_per_sequence\": 0, \"source\": \"test\"}");
        Path half = tmp.resolve("half.json");
        Files.writeString(half, "{\"extra_ms_per_sequence\": 0.5, \"source\": \"test\"}");
        simulate(trace, tmp.resolve("file"), "--served-costs", half.toString());
        simulate(trace, tmp.resolve("option"), "--served-costs", zero.toString(), "--extra-ms-per-sequence", "0.5");
        simulate(trace, tmp.resolve("none"), "--served-costs", zero.toString());
        assertEquals(Files.readString(tmp.resolve("file/requests.csv")), Files.readString(tmp.resolve(
                "option/requests.csv")));
        JsonNode config = Json.mapper().readTree(tmp.resolve("option/config.json").toFile());
        assertEquals(0.5, config.path("served_step_costs").path("extra_ms_per_sequence").asDouble());
        assertTrue(config.path("served_step_costs").path("source").asText().contains("--extra-ms-per-sequence"));
        double with = Json.mapper().readTree(tmp.resolve("option/summary.json").toFile()).path("tpot_ms").path("p50")
                .asDouble();
        double without = Json.mapper().readTree(tmp.resolve("none/summary.json").toFile()).path("tpot_ms").path("p50")
                .asDouble();
        assertTrue(with > without + 0.2, with + " against " + without);
        StringWriter err = new StringWriter();
        var cl = CornserveMain.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("simulate", "--plan", PLAN, "--trace", trace.toString(), "--extra-ms-per-sequence",
                "-1", "--out", tmp.resolve("bad").toString()));
        assertTrue(err.toString().contains("--extra-ms-per-sequence must be >= 0"), err.toString());
    }

    /** The batch probe: its groups arrive together, one request per answer length, the groups apart. */
    @Test
    void theBatchProbesGroupsArriveTogether() throws Exception {
        Path trace = tmp.resolve("batch.jsonl");
        Files.writeString(trace, ProbeTraces.batchProbeTrace(99, ProbeTraces.BATCH_PROBE_GROUPS));
        List<String> lines = Files.readAllLines(trace);
        assertEquals(ProbeTraces.BATCH_PROBE_GROUPS * ProbeTraces.BATCH_PROBE_ANSWERS.length, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode r = Json.mapper().readTree(lines.get(i));
            int group = i / ProbeTraces.BATCH_PROBE_ANSWERS.length;
            assertEquals(group * ProbeTraces.BATCH_PROBE_GAP_S, r.path("arrival_s").asDouble(), 1e-9);
            assertEquals(99, r.path("text_tokens").asLong());
            assertEquals(ProbeTraces.BATCH_PROBE_ANSWERS[i % ProbeTraces.BATCH_PROBE_ANSWERS.length],
                    r.path("output_tokens").asInt());
        }
    }

    /**
     * simulate --prefill-compute-scale-at: a flat curve is --prefill-compute-scale (the same run), a curve slower at
     * long prompts slows the long prompts' first tokens and not the short ones', and a bad curve is refused by name.
     */
    @Test
    void thePrefillCurveScalesEachLengthAsItsOwnProbeRan() throws Exception {
        // the tiny model's estimated profile, marked measured (the scales apply to measured profiles only)
        StringWriter err0 = new StringWriter();
        var cl0 = CornserveMain.commandLine();
        cl0.setOut(new PrintWriter(new StringWriter()));
        cl0.setErr(new PrintWriter(err0));
        Path profiles = tmp.resolve("measured.json");
        assertEquals(0, cl0.execute("profile", "estimate", "--model", "tiny-omni", "--hardware", "cpu", "--tp", "1",
                "--out", profiles.toString()), err0.toString());
        var set = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(profiles.toFile());
        set.get("profiles").forEach(p -> ((com.fasterxml.jackson.databind.node.ObjectNode) p).put("source",
                "measured"));
        Json.mapper().writeValue(profiles.toFile(), set);
        Path trace = tmp.resolve("mixed.jsonl");
        Files.writeString(trace, ProbeTraces.probeTrace(new long[] {40, 900}, 1.0, ProbeTraces.PROBES));
        String p = profiles.toString();
        simulate(trace, tmp.resolve("one"), "--profiles", p, "--prefill-compute-scale", "1.2");
        simulate(trace, tmp.resolve("flat"), "--profiles", p, "--prefill-compute-scale-at", "100=1.2");
        assertEquals(Files.readString(tmp.resolve("one/requests.csv")), Files.readString(tmp.resolve(
                "flat/requests.csv")));
        simulate(trace, tmp.resolve("plain"), "--profiles", p);
        assertFalse(Files.readString(tmp.resolve("one/requests.csv")).equals(Files.readString(tmp.resolve(
                "plain/requests.csv"))), "the scale applies");
        simulate(trace, tmp.resolve("curve"), "--profiles", p, "--prefill-compute-scale-at", "100=1,600=1,900=1.5");
        var plain = TailReport.requests(tmp.resolve("plain/requests.csv"));
        var curve = TailReport.requests(tmp.resolve("curve/requests.csv"));
        for (long id : plain.keySet()) {
            double ratio = curve.get(id).ttftMs() / plain.get(id).ttftMs();
            if (plain.get(id).inputTokens() < 100) {
                assertEquals(1, ratio, 1e-9, "a short prompt as profiled");
            } else {
                assertTrue(ratio > 1.3, "a long prompt half as slow again: " + ratio);
            }
        }
        assertEquals("100=1.0000,600=1.0000,900=1.5000", Json.mapper().readTree(tmp.resolve("curve/config.json")
                .toFile()).path("prefill_compute_scale_at").asText());
        StringWriter err = new StringWriter();
        var cl = CornserveMain.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("simulate", "--plan", PLAN, "--trace", trace.toString(), "--prefill-compute-scale-at",
                "900=1,100=1", "--out", tmp.resolve("bad").toString()));
        assertTrue(err.toString().contains("--prefill-compute-scale-at: prefill scale curve: token counts must be"),
                err.toString());
        // --decode-compute-scale-at: a flat one is --decode-compute-scale; the decodes (one sequence at a time here)
        // take the curve at one sequence, the first tokens as they were
        simulate(trace, tmp.resolve("d-one"), "--profiles", p, "--decode-compute-scale", "1.4");
        simulate(trace, tmp.resolve("d-flat"), "--profiles", p, "--decode-compute-scale-at", "1=1.4");
        assertEquals(Files.readString(tmp.resolve("d-one/requests.csv")), Files.readString(tmp.resolve(
                "d-flat/requests.csv")));
        simulate(trace, tmp.resolve("d-curve"), "--profiles", p, "--decode-compute-scale-at", "1=1.4,4=0.5");
        assertEquals(Files.readString(tmp.resolve("d-one/requests.csv")), Files.readString(tmp.resolve(
                "d-curve/requests.csv")), "requests one after another decode one sequence at a time");
        var slow = TailReport.requests(tmp.resolve("d-one/requests.csv"));
        for (long id : plain.keySet()) {
            assertEquals(plain.get(id).ttftMs(), slow.get(id).ttftMs(), 1e-9);
            assertTrue(slow.get(id).tpotMs() > 1.2 * plain.get(id).tpotMs(), "decodes slower: " + slow.get(id));
        }
        assertEquals("1=1.4000,4=0.5000", Json.mapper().readTree(tmp.resolve("d-curve/config.json").toFile())
                .path("decode_compute_scale_at").asText());
        StringWriter err2 = new StringWriter();
        cl.setErr(new PrintWriter(err2));
        assertEquals(2, cl.execute("simulate", "--plan", PLAN, "--trace", trace.toString(), "--decode-compute-scale-at",
                "1=x", "--out", tmp.resolve("bad2").toString()));
        assertTrue(err2.toString().contains("--decode-compute-scale-at:"), err2.toString());
    }

    /** The shape probe's lengths: the 5th, 90th and 99th percentiles, capped, without the quartiles already probed. */
    @Test
    void theShapeProbeTakesTheShortAndLongPromptsCapped() {
        List<Long> tokens = java.util.stream.LongStream.rangeClosed(1, 101).boxed().toList();
        // indexes 5, 90 and 99 of 0..100: 6, 91 and 100
        assertArrayEquals(new long[] {6, 91, 100}, ProbeTraces.shapeLengths(tokens, 1000, new long[] {26, 51, 76}));
        assertArrayEquals(new long[] {6, 80}, ProbeTraces.shapeLengths(tokens, 80, new long[] {26, 51, 76}),
                "capped at the longest prefill point, once");
        assertArrayEquals(new long[] {91, 100}, ProbeTraces.shapeLengths(tokens, 1000, new long[] {6, 51}),
                "a length the idle probe takes is left out");
        assertThrows(IllegalArgumentException.class, () -> ProbeTraces.shapeLengths(List.of(), 10, new long[0]));
        String trace = ProbeTraces.shapeProbeTrace(new long[] {10, 500}, t -> t, ProbeTraces.SHAPE_PROBES);
        List<String> lines = trace.lines().toList();
        assertEquals(ProbeTraces.SHAPE_PROBES, lines.size());
        // 10 + 18 markup tokens charged 28 ms: 0.25 s apart; 518 tokens charged 518 ms: 4 x that
        assertTrue(lines.get(0).contains("\"arrival_s\":0.250000") && lines.get(0).contains("\"text_tokens\":10"),
                lines.get(0));
        assertTrue(lines.get(1).contains("\"arrival_s\":2.322000") && lines.get(1).contains("\"text_tokens\":500"),
                lines.get(1));
        // a short prompt after a long one waits for the long one: four times its 518 ms again
        assertTrue(lines.get(2).contains("\"arrival_s\":4.394000") && lines.get(2).contains("\"text_tokens\":10"),
                lines.get(2));
    }

    /** The curve: per prompt length the probe rule (median, or the tenth percentile under a slow spell). */
    @Test
    void thePrefillCurveTakesEachLengthsOwnScale() {
        long[] tokens = {100, 600, 100, 600, 100, 600, 100, 600};
        double[] computed = {10, 48, 11, 50, 10.5, 49, 12, 51};
        double[] profiled = {10, 60, 10, 60, 10, 60, 10, 60};
        var c = Probes.prefillCurve(tokens, computed, profiled);
        assertEquals(List.of(100L, 600L), c.tokens());
        assertEquals(Probes.prefillScale(new double[] {10, 11, 10.5, 12}, new double[] {10, 10, 10, 10}),
                c.scales().get(0), 1e-12);
        assertEquals((49 + 50) / 2.0 / 60, c.scales().get(1), 1e-12);
        assertEquals(null, Probes.prefillCurve(tokens, null, profiled), "no measured prefills: no curve");
    }

    /**
     * The probes' curve is charged as validation.json keeps it (four decimals), so that {@code validate --resimulate}
     * charges what the live run did: a live run once charged 1.3909 where its re-judgment, reading the kept curve,
     * charged 1.3910, and its TPOT P99 came back 4% apart.
     */
    @Test
    void thePrefillCurveIsChargedAsItIsKept() {
        long[] tokens = {100, 600, 100, 600, 100, 600};
        double[] computed = {13.90937, 48.123456, 13.90937, 48.123456, 13.90937, 48.123456};
        double[] profiled = {10, 60, 10, 60, 10, 60};
        var c = Probes.prefillCurve(tokens, computed, profiled);
        var kept = org.cornserve.model.profile.PrefillScaleCurve.parse(c.toString());
        assertEquals(kept.scales(), c.scales(), "the curve read back from its kept text is the one charged");
        assertEquals(1.3909, c.scales().get(0), 0, "13.90937 / 10 to four decimals");
        assertEquals(0.8021, c.scales().get(1), 0, "48.123456 / 60 = 0.80206 to four decimals");
    }
}
