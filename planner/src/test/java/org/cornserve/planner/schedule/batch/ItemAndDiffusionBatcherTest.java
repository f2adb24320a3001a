package org.cornserve.planner.schedule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.planner.schedule.graph.Work;
import org.junit.jupiter.api.Test;

class ItemAndDiffusionBatcherTest {
    private final RecordingListener listener = new RecordingListener();

    @Test
    void partialBatchWaitsOutItsBoundedWaitThenRuns() {
        ItemBatcher b = new ItemBatcher(new ItemBatching(4, 10_000, 5_000));
        b.enqueue("a", 0, Work.batch(Modality.IMAGE, 1, 100), 1_000);
        assertEquals(6_000, b.readyAtNanos(1_000));
        b.enqueue("b", 0, Work.batch(Modality.IMAGE, 2, 100), 2_000);
        assertEquals(6_000, b.readyAtNanos(2_000));
        assertEquals(new Step.BatchStep(3, 3, 200), b.plan(3, 6_000, listener));
        List<String> items = new java.util.ArrayList<>();
        b.visitStep(new StepVisitor() {
            @Override
            public void batchItem(Object owner, int node) {
                items.add(owner + "/" + node);
            }
        });
        assertEquals(List.of("a/0", "b/0"), items);
        b.complete(1, 7_000, listener);
        assertEquals(List.of("start:a@6000", "start:b@6000", "done:a@7000", "done:b@7000"), listener.calls);
        assertFalse(b.hasWork());
    }

    @Test
    void fullBatchIsReadyAtOnceAndLimitsSplitBatches() {
        ItemBatcher b = new ItemBatcher(new ItemBatching(2, 10_000, 1_000_000));
        for (String id : new String[] {"a", "b", "c"}) {
            b.enqueue(id, 0, Work.batch(Modality.IMAGE, 1, 10), 0);
        }
        assertEquals(5, b.readyAtNanos(5));
        assertEquals(new Step.BatchStep(0, 2, 20), b.plan(0, 5, listener));
        b.complete(1, 6, listener);
        assertEquals(1_000_000, b.readyAtNanos(6), "one left: waits for company");
    }

    @Test
    void modalitiesAreBatchedSeparatelyOldestReadyFirst() {
        ItemBatcher b = new ItemBatcher(new ItemBatching(8, 10_000, 0));
        b.enqueue("audio", 0, Work.batch(Modality.AUDIO, 1, 50), 0);
        b.enqueue("image", 0, Work.batch(Modality.IMAGE, 1, 70), 1);
        assertEquals(new Step.BatchStep(0, 1, 50), b.plan(0, 1, listener));
        b.complete(1, 2, listener);
        assertEquals(new Step.BatchStep(0, 1, 70), b.plan(0, 2, listener));
    }

    @Test
    void oversizedInvocationRunsAlone() {
        ItemBatcher b = new ItemBatcher(new ItemBatching(2, 100, 0));
        b.enqueue("big", 0, Work.batch(Modality.IMAGE, 5, 1000), 0);
        b.enqueue("small", 0, Work.batch(Modality.IMAGE, 1, 10), 0);
        assertEquals(new Step.BatchStep(0, 5, 1000), b.plan(0, 0, listener));
    }

    @Test
    void diffusionJobsStepTogetherAndLeaveWhenDone() {
        DiffusionBatcher b = new DiffusionBatcher(new DiffusionBatching(2, 10_000));
        b.enqueue("a", 0, Work.diffusion(1000, 10), 0);
        b.enqueue("b", 0, Work.diffusion(1000, 4), 0);
        b.enqueue("c", 0, Work.diffusion(1000, 4), 0);
        assertEquals(new Step.DiffusionStep(0, 2, 2000, 4), b.plan(0, 0, listener));
        assertEquals(Long.MAX_VALUE, b.staleFromNanos(0), "c cannot join a full batch");
        b.complete(4, 40, listener);
        assertEquals(new Step.DiffusionStep(0, 2, 2000, 4), b.plan(0, 40, listener), "c joins; a has 6 left");
        b.complete(4, 80, listener);
        assertEquals(new Step.DiffusionStep(0, 1, 1000, 2), b.plan(0, 80, listener));
        b.complete(2, 100, listener);
        assertEquals(List.of("start:a@0", "start:b@0", "done:b@40", "start:c@40", "done:c@80", "done:a@100"),
                listener.calls);
    }

    @Test
    void aCancelledItemLeavesItsQueueAtOnceOrItsBatchWhenTheBatchEnds() {
        ItemBatcher b = new ItemBatcher(new ItemBatching(2, 10_000, 1_000));
        int a = b.enqueue("a", 0, Work.batch(Modality.IMAGE, 1, 10), 0);
        int c = b.enqueue("c", 0, Work.batch(Modality.IMAGE, 1, 10), 0);
        int d = b.enqueue("d", 0, Work.batch(Modality.IMAGE, 1, 10), 0);
        b.cancel(d);
        assertEquals(2, b.outstanding());
        assertEquals(new Step.BatchStep(0, 2, 20), b.plan(0, 0, listener));
        b.cancel(a);
        b.complete(1, 5, listener);
        assertEquals(List.of("start:a@0", "start:c@0", "done:c@5"), listener.calls, "nothing reported for a or d");
        assertFalse(b.hasWork());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> b.cancel(c));
    }

    @Test
    void aCancelledDiffusionJobLeavesWhenItsStepEnds() {
        DiffusionBatcher b = new DiffusionBatcher(new DiffusionBatching(4, 100_000));
        int a = b.enqueue("a", 0, Work.diffusion(100, 3), 0);
        b.enqueue("c", 0, Work.diffusion(100, 5), 0);
        int w = b.enqueue("w", 0, Work.diffusion(100, 5), 0);
        assertEquals(3, b.plan(0, 0, listener).iterations());
        b.cancel(a);
        b.complete(3, 10, listener);
        assertEquals(List.of("start:a@0", "start:c@0", "start:w@0"), listener.calls, "a is dropped, not finished");
        b.cancel(w);
        Step next = b.plan(0, 10, listener);
        assertEquals(new Step.DiffusionStep(0, 1, 100, 2), next);
        b.complete(2, 20, listener);
        assertEquals("done:c@20", listener.calls.get(listener.calls.size() - 1));
        assertFalse(b.hasWork());
    }
}
