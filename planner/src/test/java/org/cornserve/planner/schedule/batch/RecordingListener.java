package org.cornserve.planner.schedule.batch;

import java.util.ArrayList;
import java.util.List;

/** Records listener calls as strings like {@code first:a@5}. */
final class RecordingListener implements InvocationListener {
    final List<String> calls = new ArrayList<>();

    @Override
    public void started(Object owner, int node, long nowNanos) {
        calls.add("start:" + owner + "@" + nowNanos);
    }

    @Override
    public void firstOutput(Object owner, int node, long nowNanos) {
        calls.add("first:" + owner + "@" + nowNanos);
    }

    @Override
    public void chunkReady(Object owner, int node, long nowNanos) {
        calls.add("chunk:" + owner + "@" + nowNanos);
    }

    @Override
    public void finished(Object owner, int node, long nowNanos) {
        calls.add("done:" + owner + "@" + nowNanos);
    }
}
