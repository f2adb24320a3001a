package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileBookTest {
    static Profile batch(String task, int devices, double ms) {
        return new Profile(task, "cpu", devices, ProfileSource.MEASURED, "", Profile.Kind.BATCH, 0, 0, List.of(),
                List.of(), List.of(new Profile.BatchPoint(1, 16, ms), new Profile.BatchPoint(1, 64, ms * 2),
                        new Profile.BatchPoint(2, 16, ms * 1.5), new Profile.BatchPoint(2, 64, ms * 3)));
    }

    static Profile llm(String task) {
        return new Profile(task, "cpu", 1, ProfileSource.MEASURED, "", Profile.Kind.LLM, 1024, 0.5,
                List.of(new Profile.DecodePoint(1, 0, 1), new Profile.DecodePoint(1, 256, 2),
                        new Profile.DecodePoint(4, 0, 3), new Profile.DecodePoint(4, 256, 4)),
                List.of(new Profile.PrefillPoint(1, 1), new Profile.PrefillPoint(64, 5)), List.of());
    }

    @Test
    void findsATaskOnItsHardwareAndDeviceCountOnly() {
        ProfileBook book = new ProfileBook(List.of(batch("m/vision-encoder", 1, 10), batch("m/vision-encoder", 2, 7)));
        assertEquals(10, book.find("m/vision-encoder", "CPU", 1).orElseThrow().batch().get(0).latencyMs());
        assertEquals(7, book.find("m/vision-encoder", "cpu", 2).orElseThrow().batch().get(0).latencyMs());
        assertTrue(book.find("m/vision-encoder", "h100", 1).isEmpty());
        assertTrue(book.find("m/audio-encoder", "cpu", 1).isEmpty());
    }

    @Test
    void aWholeLlmProfileServesItsPhasesUnlessAPhaseHasItsOwn() {
        Profile whole = llm("m/llm");
        Profile decode = llm("m/llm:decode");
        ProfileBook book = new ProfileBook(List.of(whole, decode));
        assertEquals(whole, book.find("m/llm:prefill", "cpu", 1).orElseThrow());
        assertEquals(decode, book.find("m/llm:decode", "cpu", 1).orElseThrow());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"m/llm:prefill, m/llm", "m/llm:decode, m/llm", "m/llm, m/llm",
            "m/vision-encoder, m/vision-encoder", "m:x/llm, m:x/llm", "m/llm:other, m/llm:other"})
    void aPhasesTaskIdNamesItsWholeTask(String taskId, String whole) {
        assertEquals(whole, org.cornserve.model.task.LlmPhase.wholeTaskId(taskId));
    }

    @Test
    void twoProfilesForOneTaskAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new ProfileBook(List.of(batch("m/vocoder", 1, 1), batch("m/vocoder", 1, 2))));
    }

    @Test
    void loadsProfileFilesWithTheirMeasurementSection(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.json");
        ProfileSet set = new ProfileSet("m", "cpu", List.of(batch("m/vocoder", 1, 3)),
                Json.mapper().readTree("{\"wall_seconds\": 1.5}"));
        Json.write(f, set);
        ProfileSet back = Json.read(f, ProfileSet.class);
        assertEquals(1.5, back.measurement().path("wall_seconds").asDouble());
        assertEquals(set.profiles(), back.profiles());
        assertEquals(3, ProfileBook.load(List.of(f)).find("m/vocoder", "cpu", 1).orElseThrow().batch().get(0)
                .latencyMs());
        Files.writeString(dir.resolve("bad.json"), "{\"model\": \"m\", \"hardware\": \"cpu\", \"profiles\": [{}]}");
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ProfileBook.load(List.of(dir.resolve("bad.json"))));
        assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
    }

    @Test
    void computeOnlyTakesTheOverheadOutOfMeasuredLlmPointsOnly() {
        Profile estimated = new Profile("m/llm2", "cpu", 1, ProfileSource.ESTIMATED, "", Profile.Kind.LLM, 1024, 0.5,
                List.of(new Profile.DecodePoint(1, 0, 1), new Profile.DecodePoint(1, 256, 2),
                        new Profile.DecodePoint(4, 0, 3), new Profile.DecodePoint(4, 256, 4)),
                List.of(new Profile.PrefillPoint(1, 1)), List.of());
        ProfileBook book = new ProfileBook(List.of(llm("m/llm"), batch("m/enc", 1, 2), estimated),
                java.util.Map.of("cpu", List.of(1.0, 1.3)));
        ProfileBook only = book.computeOnly();
        Profile p = only.find("m/llm", "cpu", 1).orElseThrow();
        // reference: every decode and prefill latency less the 0.5 ms overhead per iteration, the overhead then 0
        assertEquals(List.of(0.5, 1.5, 2.5, 3.5), p.decode().stream().map(Profile.DecodePoint::latencyMs).toList());
        assertEquals(List.of(0.5, 4.5), p.prefill().stream().map(Profile.PrefillPoint::latencyMs).toList());
        assertEquals(0, p.cpuOverheadMs());
        assertTrue(p.note().contains("compute only"), p.note());
        // batch profiles pay no served round trip in the simulator, estimates carry no measured overhead: unchanged
        assertEquals(book.find("m/enc", "cpu", 1).orElseThrow(), only.find("m/enc", "cpu", 1).orElseThrow());
        assertEquals(estimated, only.find("m/llm2", "cpu", 1).orElseThrow());
        assertEquals(List.of(1.0, 1.3), only.hostSlowdown("cpu"));
        // a point whose overhead is its whole latency keeps a positive one
        Profile tight = new Profile("m/t", "cpu", 1, ProfileSource.MEASURED, "", Profile.Kind.LLM, 1024, 1,
                List.of(new Profile.DecodePoint(1, 0, 1)), List.of(new Profile.PrefillPoint(1, 3)), List.of());
        assertTrue(tight.computeOnly().decode().get(0).latencyMs() > 0);
    }

    @Test
    void computeScalesMultiplyMeasuredLlmPointsOnly() {
        Profile estimated = new Profile("m/llm2", "cpu", 1, ProfileSource.ESTIMATED, "", Profile.Kind.LLM, 1024, 0.5,
                List.of(new Profile.DecodePoint(1, 0, 1)), List.of(new Profile.PrefillPoint(1, 1)), List.of());
        ProfileBook book = new ProfileBook(List.of(llm("m/llm"), batch("m/enc", 1, 2), estimated),
                java.util.Map.of("cpu", List.of(1.0, 1.3)));
        ProfileBook scaled = book.withComputeScale(1.25, 0.8);
        Profile before = book.find("m/llm", "cpu", 1).orElseThrow();
        Profile p = scaled.find("m/llm", "cpu", 1).orElseThrow();
        // reference: each prefill latency times 1.25 and each decode latency times 0.8 by hand; the overhead as it was
        assertEquals(before.prefill().stream().map(q -> q.latencyMs() * 1.25).toList(),
                p.prefill().stream().map(Profile.PrefillPoint::latencyMs).toList());
        assertEquals(before.decode().stream().map(d -> d.latencyMs() * 0.8).toList(),
                p.decode().stream().map(Profile.DecodePoint::latencyMs).toList());
        assertEquals(before.cpuOverheadMs(), p.cpuOverheadMs());
        assertTrue(p.note().contains("prefill latencies x 1.2500, decode x 0.8000"), p.note());
        assertEquals(book.find("m/enc", "cpu", 1).orElseThrow(), scaled.find("m/enc", "cpu", 1).orElseThrow());
        assertEquals(estimated, scaled.find("m/llm2", "cpu", 1).orElseThrow());
        assertEquals(List.of(1.0, 1.3), scaled.hostSlowdown("cpu"));
        assertEquals(before, before.withComputeScale(1, 1), "scales of 1 change nothing");
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> before.withComputeScale(bad, 1), "scale " + bad);
            assertThrows(IllegalArgumentException.class, () -> before.withComputeScale(1, bad), "scale " + bad);
        }
    }

    /**
     * A served host slowdown replaces the measured one of every kind that has one (a kind without stays unshared); the
     * profiles themselves are kept; none given keeps the book.
     */
    @Test
    void aServedHostSlowdownReplacesTheMeasuredOne() {
        ProfileBook book = new ProfileBook(List.of(llm("m/llm"), batch("m/enc", 1, 2)),
                java.util.Map.of("cpu", List.of(1.0, 1.03)));
        ProfileBook served = book.withHostSlowdown(List.of(1.0, 1.24));
        assertEquals(List.of(1.0, 1.24), served.hostSlowdown("cpu"));
        assertEquals(List.of(), served.hostSlowdown("h100"), "a kind without a measured slowdown stays unshared");
        assertEquals(book.find("m/llm", "cpu", 1), served.find("m/llm", "cpu", 1));
        assertEquals(book.find("m/enc", "cpu", 1), served.find("m/enc", "cpu", 1));
        assertTrue(book == book.withHostSlowdown(List.of()), "none given: the book as it is");
        assertEquals(List.of(), new ProfileBook(List.of(llm("m/llm"))).withHostSlowdown(List.of(1.0, 1.24))
                .hostSlowdown("cpu"), "no measured sharing: none added");
    }
}
