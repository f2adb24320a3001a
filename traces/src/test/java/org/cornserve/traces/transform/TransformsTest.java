package org.cornserve.traces.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.SharedTraces;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.TraceSource;
import org.cornserve.traces.generate.InterArrivals;
import org.cornserve.traces.generate.ShapeSampler;
import org.cornserve.traces.generate.SyntheticTraceGenerator;
import org.cornserve.traces.generate.TokenDistribution;
import org.cornserve.traces.stats.TraceStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransformsTest {

    static final TraceSource AZURE = TraceFormat.AZURE_LLM.source(SharedTraces.file("AzureLLMInferenceTrace_conv.csv"),
            ReadOptions.defaults());

    static TraceSource poisson(double rate, long count, String app, long seed) {
        return SyntheticTraceGenerator.source(random -> InterArrivals.poisson(random, rate),
                ShapeSampler.text(TokenDistribution.constant(1), TokenDistribution.constant(1)), app, count,
                Double.POSITIVE_INFINITY, seed);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 5.53, 20, 1000})
    void rescaleHitsTheTargetRate(double target) throws IOException {
        var s = TraceStats.of(Transforms.rescaleToRate(AZURE, target).open());
        assertEquals(19_366, s.requests());
        assertEquals(target, s.rateRps(), target * 1e-6);
        var original = TraceStats.of(AZURE.open());
        assertEquals(original.interarrivalCv(), s.interarrivalCv(), 1e-4, "scaling keeps the burstiness");
    }

    @Test
    void windowKeepsAndShifts() throws IOException {
        List<TraceRecord> all = TestFiles.readAll(AZURE.open());
        List<TraceRecord> w = TestFiles.readAll(Transforms.window(AZURE, 600, 1200).open());
        List<TraceRecord> expected = all.stream().filter(r -> r.arrivalNanos() >= 600_000_000_000L
                && r.arrivalNanos() < 1_200_000_000_000L).map(r -> r.withArrivalNanos(r.arrivalNanos() - 600_000_000_000L)).toList();
        assertEquals(expected, w);
        assertTrue(w.size() > 1000);
    }

    @Test
    void firstN() throws IOException {
        List<TraceRecord> all = TestFiles.readAll(AZURE.open());
        assertEquals(all.subList(0, 100), TestFiles.readAll(Transforms.first(AZURE, 100).open()));
        assertEquals(0, TestFiles.readAll(Transforms.first(AZURE, 0).open()).size());
    }

    @Test
    void mergeKeepsTimeOrderAndEveryRecord() throws IOException {
        TraceSource a = poisson(3, 2000, "a", 1);
        TraceSource b = poisson(7, 3000, "b", 2);
        List<TraceRecord> merged = TestFiles.readAll(Transforms.merge(List.of(a, b)).open());
        assertEquals(5000, merged.size());
        for (int i = 1; i < merged.size(); i++) {
            assertTrue(merged.get(i).arrivalNanos() >= merged.get(i - 1).arrivalNanos());
        }
        assertEquals(2000, merged.stream().filter(r -> r.app().equals("a")).count());
    }

    @Test
    void mixGivesEachInputItsWeightOfTheRate() throws IOException {
        TraceSource a = poisson(3, 4000, "a", 1);
        TraceSource b = poisson(7, 4000, "b", 2);
        TraceSource mixed = Transforms.mix(List.of(new Transforms.Component(a, 3), new Transforms.Component(b, 1)), 40);
        var rateA = TraceStats.of(Transforms.relabel(mixed, "x").open());
        assertEquals(8000, rateA.requests());
        // over the span both inputs cover, input a sends 3 requests for every 1 of b
        double span = Math.min(4000 / 30.0, 4000 / 10.0);
        List<TraceRecord> head = TestFiles.readAll(Transforms.window(mixed, 0, span).open());
        long nA = head.stream().filter(r -> r.app().equals("a")).count();
        long nB = head.size() - nA;
        assertEquals(0.75, (double) nA / head.size(), 4.5 * Math.sqrt(0.75 * 0.25 / head.size()));
        assertEquals(30, nA / span, 30 * 0.01 + 1e-9, "input a runs at 3/4 of 40 rps (exactly, after rescaling)");
        assertTrue(nB > 0);
    }
}
