package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A talker's codes depend only on its thinker's states and its sampling seed, never on how the states were chunked
 * or when each chunk arrived against the steps the scheduler planned: the same states streamed in random groupings,
 * arriving at random steps, beside another streamed answer in the same batches, under a chunked prefill, give the
 * codes of the one-chunk reference (the whole states at open, no stream), at temperature 0 and above it.
 */
class LlmRunnerTalkerChunkingTest {
    private static final String TALKER = "tiny-omni/talker";
    private static final int PLANNED_CAP = 80;

    @TempDir
    Path dir;

    /** One talker answer: the thinker's states, the rows its talker plans, the codes the last states ask for. */
    private record Answer(float[] states, int rows, int plannedRows, int codes, double temperature, long seed) {
    }

    /** How one invocation is fed: its state groups in order (the first opens it) and its prefill pieces. */
    private static final class Feed {
        final long id;
        final Answer answer;
        final Deque<float[]> groups;
        final Deque<Integer> prefillPieces;
        int prefilled;
        boolean lastSent;
        int[] codes;

        Feed(long id, Answer answer, Deque<float[]> groups, Deque<Integer> prefillPieces) {
            this.id = id;
            this.answer = answer;
            this.groups = groups;
            this.prefillPieces = prefillPieces;
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void streamedInAnyGroupingTheTalkerSpeaksAsItsOneChunkReference(long seed) {
        Random rnd = new Random(seed);
        int w = TinyModels.TALKER.thinkerHidden();
        Answer a = answer(rnd, w, seed % 2 == 0 ? 0 : 0.8);
        Answer b = answer(rnd, w, 0);
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000, System::currentTimeMillis);
                Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            int[] referenceA = whole(sidecar, k, a);
            int[] referenceB = whole(sidecar, k, b);
            assertEquals(a.codes(), referenceA.length, "the reference speaks the codes its answer needs");
            // one chunk streamed: all states at open, the last (empty) right after
            int[] oneChunk = run(sidecar, k, rnd, List.of(feed(1, a, w, rnd, true)), 0)[0];
            assertArrayEquals(referenceA, oneChunk, "all states in the first chunk");
            for (int trial = 0; trial < 3; trial++) {
                List<Feed> feeds = List.of(feed(1, a, w, rnd, false), feed(2, b, w, rnd, false));
                int[][] codes = run(sidecar, k, rnd, feeds, 0.3 + 0.3 * trial);
                assertArrayEquals(referenceA, codes[0], "trial " + trial + ": answer A in other groupings");
                assertArrayEquals(referenceB, codes[1], "trial " + trial + ": answer B beside it");
            }
            assertEquals(0, sidecar.live(), "every tensor read and released");
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    void aTalkerThatOutrunsItsThinkerToItsCapWaitsForItsLastStates(long seed) {
        Random rnd = new Random(seed);
        int w = TinyModels.TALKER.thinkerHidden();
        Answer a = answer(rnd, w, seed % 2 == 0 ? 0 : 0.8);
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000, System::currentTimeMillis);
                Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            int[] reference = whole(sidecar, k, a);
            Feed f = feed(1, a, w, rnd, false);
            LlmRunner talker = (LlmRunner) TaskRunners.create(TALKER, 1, k, sidecar, 8192, 4, false);
            int[] waited = {0};
            talker.statesWait(invocation -> {
                // the rest of its thinker's states come while it waits, as frames would
                waited[0]++;
                while (!f.groups.isEmpty()) {
                    float[] group = f.groups.poll();
                    talker.moreStates(new ExecutorCommand.StreamStates(invocation, sidecar.putFloats(group, 1),
                            f.groups.isEmpty(), a.codes()));
                }
                return true;
            });
            // the scheduler's cap is the codes the answer needs; only the first chunk came before it got there
            talker.open(new ExecutorCommand.Open(1, TALKER, null, List.of(sidecar.putFloats(f.groups.poll(), 1)),
                    new int[] {a.plannedRows()}, a.codes(), a.temperature(), a.seed(), false, 1, null, null, 0, 1));
            ExecutorCommand.StepItem item = new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.PREFILL, 0,
                    a.plannedRows());
            int[] codes = null;
            for (int step = 0; step < a.codes() && codes == null; step++) {
                StepOutcome out = new StepOutcome();
                talker.step(new ExecutorCommand.RunStep(step, TALKER, List.of(item), 1), out, () -> false);
                item = new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.DECODE, 0, 1);
                for (ExecutorReport.Output o : out.report(step, 0).outputs()) {
                    codes = sidecar.readInts(o.tensor());
                    sidecar.release(o.tensor());
                }
            }
            assertTrue(f.groups.isEmpty() && waited[0] == 1, "it waited once, at its cap");
            assertArrayEquals(reference, codes, "the codes of the whole states");
            assertEquals(0, talker.open(), "it ended at its cap");
            assertEquals(0, sidecar.live(), "every tensor read and released");
        }
    }

    private static Answer answer(Random rnd, int w, double temperature) {
        int prompt = 4 + rnd.nextInt(20);
        int cap = 3 + rnd.nextInt(10);
        int generated = 1 + rnd.nextInt(cap);
        int rows = prompt + generated;
        float[] states = new float[rows * w];
        for (int i = 0; i < states.length; i++) {
            states[i] = (float) rnd.nextGaussian() * 0.2f;
        }
        return new Answer(states, rows, prompt + cap, 8 + rnd.nextInt(24), temperature, rnd.nextLong());
    }

    /** The reference: the whole states at open (no stream), capped at the codes the answer needs. */
    private static int[] whole(SharedMemorySidecar sidecar, Kernels k, Answer a) {
        LlmRunner talker = (LlmRunner) TaskRunners.create(TALKER, 1, k, sidecar, 8192, 4, false);
        talker.open(new ExecutorCommand.Open(9, TALKER, null, List.of(sidecar.putFloats(a.states(), 1)),
                new int[] {a.plannedRows()}, a.codes(), a.temperature(), a.seed(), false, 1));
        ExecutorCommand.StepItem item = new ExecutorCommand.StepItem(9, ExecutorCommand.ItemKind.PREFILL, 0,
                a.plannedRows());
        for (int step = 0; talker.open() > 0; step++) {
            StepOutcome out = new StepOutcome();
            talker.step(new ExecutorCommand.RunStep(step, TALKER, List.of(item), 1), out, () -> false);
            item = new ExecutorCommand.StepItem(9, ExecutorCommand.ItemKind.DECODE, 0, 1);
            for (ExecutorReport.Output o : out.report(step, 0).outputs()) {
                int[] codes = sidecar.readInts(o.tensor());
                sidecar.release(o.tensor());
                return codes;
            }
        }
        throw new AssertionError("the reference ended without codes");
    }

    /** Splits an answer's states into a first chunk and random groups after it (or all in the first). */
    private static Feed feed(long id, Answer a, int w, Random rnd, boolean oneChunk) {
        Deque<float[]> groups = new ArrayDeque<>();
        int from = 0;
        while (from < a.rows()) {
            int n = oneChunk ? a.rows() : Math.min(a.rows() - from, 1 + rnd.nextInt(4));
            groups.add(Arrays.copyOfRange(a.states(), from * w, (from + n) * w));
            from += n;
        }
        Deque<Integer> pieces = new ArrayDeque<>();
        int left = a.plannedRows();
        while (left > 0) {
            int n = rnd.nextBoolean() ? left : Math.min(left, 1 + rnd.nextInt(left));
            pieces.add(n);
            left -= n;
        }
        return new Feed(id, a, groups, pieces);
    }

    /**
     * Runs the feeds in one talker as the scheduler would plan them (a chunked prefill, then a code a step for each,
     * batched together), delivering each one's next state group before a step with probability {@code arrival}
     * (all at once when 0), the last one with the codes its answer needs; returns each one's codes.
     */
    private static int[][] run(SharedMemorySidecar sidecar, Kernels k, Random rnd, List<Feed> feeds, double arrival) {
        LlmRunner talker = (LlmRunner) TaskRunners.create(TALKER, 1, k, sidecar, 8192, 4, false);
        Map<Long, Feed> live = new HashMap<>();
        for (Feed f : feeds) {
            Answer a = f.answer;
            talker.open(new ExecutorCommand.Open(f.id, TALKER, null, List.of(sidecar.putFloats(f.groups.poll(), 1)),
                    new int[] {a.plannedRows()}, PLANNED_CAP, a.temperature(), a.seed(), false, 1, null, null, 0, 1));
            live.put(f.id, f);
        }
        int[] plannedCodes = new int[feeds.size() + 1];
        for (int step = 0; !live.isEmpty(); step++) {
            assertTrue(step < 4 * PLANNED_CAP, "the talkers end");
            List<ExecutorCommand.StepItem> items = new ArrayList<>();
            for (Feed f : feeds) {
                if (!live.containsKey(f.id)) {
                    continue;
                }
                while (!f.lastSent && (arrival == 0 || rnd.nextDouble() < arrival)) {
                    float[] group = f.groups.poll();
                    boolean last = f.groups.isEmpty();
                    talker.moreStates(new ExecutorCommand.StreamStates(f.id,
                            group == null ? null : sidecar.putFloats(group, 1), last, last ? f.answer.codes() : 0));
                    f.lastSent = last;
                    if (arrival > 0 && rnd.nextBoolean()) {
                        break;
                    }
                }
                if (!f.prefillPieces.isEmpty()) {
                    int n = f.prefillPieces.poll();
                    items.add(new ExecutorCommand.StepItem(f.id, ExecutorCommand.ItemKind.PREFILL, f.prefilled, n));
                    f.prefilled += n;
                } else {
                    items.add(new ExecutorCommand.StepItem(f.id, ExecutorCommand.ItemKind.DECODE, 0, 1));
                }
            }
            StepOutcome out = new StepOutcome();
            talker.step(new ExecutorCommand.RunStep(step, TALKER, items, 1), out, () -> false);
            ExecutorReport.StepDone done = out.report(step, 0);
            for (ExecutorReport.Emitted e : done.emitted()) {
                plannedCodes[(int) e.invocation()] += e.tokens().length;
            }
            for (ExecutorReport.Output o : done.outputs()) {
                Feed f = live.remove(o.invocation());
                f.codes = sidecar.readInts(o.tensor());
                sidecar.release(o.tensor());
            }
            for (Feed f : feeds) {
                if (live.containsKey(f.id) && plannedCodes[(int) f.id] >= PLANNED_CAP) {
                    throw new AssertionError("invocation " + f.id + " reached the scheduler's cap");
                }
            }
        }
        int[][] codes = new int[feeds.size()][];
        for (int i = 0; i < feeds.size(); i++) {
            codes[i] = feeds.get(i).codes;
        }
        return codes;
    }
}
