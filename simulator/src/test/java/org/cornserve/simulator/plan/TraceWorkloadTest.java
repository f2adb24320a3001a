package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.PromptBlocks;
import org.cornserve.planner.schedule.graph.RequestGraphs;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.traces.LongList;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.TraceSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceWorkloadTest {
    private static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    @ParameterizedTest
    @ValueSource(strings = {"llama-3.1-8b", "qwen2.5-vl-7b", "qwen2.5-omni-7b", "gemma-3-4b", "tiny-omni"})
    void textOnlyShortcutEqualsTheCompositeTask(String modelName) {
        ModelSpec model = CATALOG.model(modelName);
        CompositeTask composite = new CompositeTask(model);
        SplittableRandom r = new SplittableRandom(modelName.hashCode());
        for (int i = 0; i < 300; i++) {
            RequestShape shape = RequestShape.text(r.nextInt(5000), r.nextInt(3) == 0 ? r.nextInt(3) : r.nextInt(800));
            for (boolean split : new boolean[] {false, true}) {
                InvocationGraph fast = TraceWorkload.textOnly(model, shape, split);
                InvocationGraph reference = RequestGraphs.toInvocations(composite.requestGraph(shape, split));
                assertNotNull(fast);
                assertEquals(reference.nodes(), fast.nodes(), shape + " split=" + split);
                assertEquals(reference.edges(), fast.edges(), shape + " split=" + split);
            }
        }
        assertNull(TraceWorkload.textOnly(model, new RequestShape(10, List.of(), 5, Set.of(Modality.TEXT,
                Modality.AUDIO)), false));
    }

    @Test
    void imageShapesGoThroughTheCompositeTask() {
        ModelSpec qwen = CATALOG.model("qwen2.5-vl-7b");
        assertNull(TraceWorkload.textOnly(qwen, new RequestShape(10, List.of(MediaItem.imageTokens(64)), 5,
                Set.of(Modality.TEXT)), false));
    }

    private static TraceSource source(List<TraceRecord> records) {
        return () -> new TraceReader() {
            private int next;

            @Override
            public TraceRecord read() {
                return next < records.size() ? records.get(next++) : null;
            }

            @Override
            public void close() {
            }
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void sharedGraphsGiveLaterRunsWhatTheirOwnCacheWouldBuild(int seed) throws IOException {
        ModelSpec omni = CATALOG.model("qwen2.5-omni-7b");
        SplittableRandom r = new SplittableRandom(seed);
        List<TraceRecord> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            List<MediaItem> media = switch (r.nextInt(3)) {
                case 0 -> List.of();
                case 1 -> List.of(MediaItem.imageTokens(64 * (1 + r.nextInt(4))));
                default -> List.of(MediaItem.audioSeconds(1 + r.nextInt(3)));
            };
            Set<Modality> out = r.nextBoolean() ? Set.of(Modality.TEXT) : Set.of(Modality.TEXT, Modality.AUDIO);
            records.add(new TraceRecord(i * 1_000_000L, "default",
                    new RequestShape(10 * (1 + r.nextInt(5)), media, 1 + r.nextInt(4), out)));
        }
        SharedGraphs shared = new SharedGraphs();
        for (boolean split : new boolean[] {false, true}) {
            for (int chunk : new int[] {0, 16}) {
                List<SimRequest> own = requests(new TraceWorkload(source(records), 1, List.of(omni), m -> split, chunk, null));
                List<SimRequest> first = requests(new TraceWorkload(source(records), 1, List.of(omni), m -> split, chunk,
                        shared));
                int kept = shared.size();
                List<SimRequest> second = requests(new TraceWorkload(source(records), 1, List.of(omni), m -> split, chunk,
                        shared));
                assertEquals(kept, shared.size(), "the second run built nothing new");
                for (int i = 0; i < records.size(); i++) {
                    String where = "split=" + split + " chunk=" + chunk + " record " + i;
                    if (TraceWorkload.textOnly(omni, records.get(i).shape(), false) == null) {
                        assertSame(first.get(i).graph(), second.get(i).graph(), where + ": the first run's graph");
                    }
                    assertEquals(own.get(i).graph().nodes(), second.get(i).graph().nodes(), where);
                    assertEquals(own.get(i).graph().edges(), second.get(i).graph().edges(), where);
                    assertEquals(own.get(i).inputTokens(), second.get(i).inputTokens(), where);
                }
            }
        }
        // each configuration kept its own graphs: the text-only records take the text shortcut, the rest are kept
        long distinct = records.stream().map(TraceRecord::shape).filter(s -> TraceWorkload.textOnly(omni, s, false) == null)
                .distinct().count();
        assertEquals(4 * distinct, shared.size());
    }

    private static List<SimRequest> requests(TraceWorkload w) throws IOException {
        try (w) {
            List<SimRequest> out = new ArrayList<>();
            w.forEachRemaining(out::add);
            return out;
        }
    }

    @Test
    void repeatsBackToBackAndRoutesAppsToModels() throws IOException {
        List<TraceRecord> records = List.of(
                new TraceRecord(1_000_000_000L, "llama-3.1-8b", RequestShape.text(100, 10)),
                new TraceRecord(2_000_000_000L, "qwen2.5-vl-7b", new RequestShape(20,
                        List.of(MediaItem.imagePixels(448, 448)), 10, Set.of(Modality.TEXT))),
                new TraceRecord(3_000_000_000L, "llama-3.1-8b", RequestShape.text(100, 10)));
        List<ModelSpec> models = List.of(CATALOG.model("llama-3.1-8b"), CATALOG.model("qwen2.5-vl-7b"));
        List<SimRequest> out = new ArrayList<>();
        try (TraceWorkload w = new TraceWorkload(source(records), 3, models, m -> false)) {
            w.forEachRemaining(out::add);
        }
        assertEquals(9, out.size());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L),
                out.stream().map(s -> s.arrivalNanos() / 1_000_000_000L).toList(), "span 2 s + one mean gap of 1 s");
        assertEquals(8, out.get(8).id());
        assertEquals("qwen2.5-vl-7b/vision-encoder", out.get(1).graph().node(0).taskKey());
        assertTrue(out.get(0).graph() == out.get(6).graph(), "identical shapes share one graph");

        List<TraceRecord> unknown = List.of(new TraceRecord(0, "chat", RequestShape.text(1, 1)));
        try (TraceWorkload w = new TraceWorkload(source(unknown), 1, models, m -> false)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, w::next);
            assertTrue(e.getMessage().contains("app 'chat'"), e.getMessage());
        }
    }

    @Test
    void textRecordsShareGraphsByLengthsAndBlockIdsKeepTheirOwn() throws IOException {
        ModelSpec llama = CATALOG.model("llama-3.1-8b");
        List<TraceRecord> records = List.of(
                new TraceRecord(0, "a", RequestShape.text(1024, 5), null, LongList.of(7, 8)),
                new TraceRecord(1, "a", RequestShape.text(1024, 5), null, LongList.of(7, 9)),
                new TraceRecord(2, "a", RequestShape.text(1024, 5)),
                new TraceRecord(3, "a", RequestShape.text(1024, 6)),
                new TraceRecord(4, "a", RequestShape.text(1024, 5)),
                new TraceRecord(5, "a", RequestShape.text(0, 0)));
        for (boolean split : new boolean[] {false, true}) {
            List<SimRequest> out = new ArrayList<>();
            try (TraceWorkload w = new TraceWorkload(source(records), 1, List.of(llama), m -> split)) {
                w.forEachRemaining(out::add);
            }
            InvocationGraph first = out.get(0).graph();
            assertTrue(first.node(0).work().promptBlocks() != PromptBlocks.NONE, "block ids reach the LLM");
            assertTrue(first != out.get(1).graph() && out.get(1).graph() != out.get(2).graph(), "not shared");
            assertTrue(out.get(2).graph() == out.get(4).graph(), "same lengths, one graph");
            assertTrue(out.get(2).graph() != out.get(3).graph(), "other answer, other graph");
            for (int k : new int[] {2, 3, 5}) {
                RequestShape shape = records.get(k).shape();
                InvocationGraph expected = RequestGraphs.toInvocations(new CompositeTask(llama).requestGraph(shape, split));
                assertEquals(expected.nodes(), out.get(k).graph().nodes());
                assertEquals(expected.edges(), out.get(k).graph().edges());
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.traceOutputTokens(i), out.get(k).graph().traceOutputTokens(i));
                }
            }
            assertNull(TraceWorkload.textOnly(llama, new RequestShape(1024, List.of(), 5,
                    Set.of(Modality.TEXT, Modality.AUDIO)), split), "speech out is not text-only");
        }
    }

    /**
     * A repeated trace is read once and its later passes replayed from memory: the requests equal those of one
     * pass over the passes written out by hand (arrivals shifted by the span plus one mean gap), and the source is
     * opened twice only (its extent, then the first pass).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void laterPassesReplayTheFirstAsIfReadAgain(int seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ModelSpec llama = CATALOG.model("llama-3.1-8b");
        List<ModelSpec> models = List.of(llama, CATALOG.model("qwen2.5-vl-7b"));
        int n = random.nextInt(1, 40);
        int repeat = random.nextInt(2, 6);
        List<TraceRecord> records = new ArrayList<>();
        long t = random.nextLong(0, 1_000_000_000L);
        for (int i = 0; i < n; i++) {
            t += random.nextLong(0, 3_000_000_000L);
            RequestShape shape = random.nextBoolean() ? RequestShape.text(random.nextInt(1, 3000), random.nextInt(0, 500))
                    : new RequestShape(random.nextInt(1, 100), List.of(MediaItem.imagePixels(448, 448)),
                            random.nextInt(1, 50), Set.of(Modality.TEXT));
            String app = shape.media().isEmpty() ? "llama-3.1-8b" : "qwen2.5-vl-7b";
            LongList blocks = shape.media().isEmpty() && random.nextBoolean() ? LongList.of(random.nextLong(9), 4)
                    : LongList.EMPTY;
            records.add(new TraceRecord(t, app, shape, random.nextBoolean() ? "r" + i : null, blocks));
        }
        long span = records.get(n - 1).arrivalNanos() - records.get(0).arrivalNanos();
        long passNanos = span + (n > 1 ? span / (n - 1) : 1_000_000_000L);
        List<TraceRecord> written = new ArrayList<>();
        for (int k = 0; k < repeat; k++) {
            for (TraceRecord r : records) {
                written.add(r.withArrivalNanos(r.arrivalNanos() + k * passNanos));
            }
        }
        int[] opens = {0};
        TraceSource counted = () -> {
            opens[0]++;
            return source(records).open();
        };
        List<SimRequest> replayed = new ArrayList<>();
        List<SimRequest> reference = new ArrayList<>();
        try (TraceWorkload w = new TraceWorkload(counted, repeat, models, m -> true)) {
            w.forEachRemaining(replayed::add);
        }
        try (TraceWorkload w = new TraceWorkload(source(written), 1, models, m -> true)) {
            w.forEachRemaining(reference::add);
        }
        assertEquals(2, opens[0], "extent and first pass");
        assertEquals(reference.size(), replayed.size());
        for (int i = 0; i < reference.size(); i++) {
            SimRequest a = reference.get(i);
            SimRequest b = replayed.get(i);
            assertEquals(List.of(a.id(), a.arrivalNanos(), a.app(), a.inputTokens(), String.valueOf(a.traceId())),
                    List.of(b.id(), b.arrivalNanos(), b.app(), b.inputTokens(), String.valueOf(b.traceId())), "request " + i);
            assertEquals(a.graph().nodes(), b.graph().nodes(), "request " + i);
            assertEquals(a.graph().edges(), b.graph().edges(), "request " + i);
        }
    }
}
