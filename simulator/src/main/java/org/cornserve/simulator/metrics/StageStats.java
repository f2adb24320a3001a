package org.cornserve.simulator.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.schedule.graph.InvocationGraph;

/**
 * Per-stage breakdown: for each unit task, how many invocations finished, how long they queued (from all inputs
 * present to start) and how long they ran (start to finish: their batches or iterations, interleaved with other
 * work on the replica).
 */
public record StageStats(@JsonProperty("task") String task, @JsonProperty("invocations") long invocations,
        @JsonProperty("queue_ms") LatencyStats queueMs, @JsonProperty("run_ms") LatencyStats runMs) {

    /** Breakdown over the finished invocations of completed requests, tasks in order of first appearance. */
    public static List<StageStats> of(List<RequestRecord> records) {
        Map<String, LatencyRecorder[]> byTask = new LinkedHashMap<>();
        for (RequestRecord rec : records) {
            if (!rec.completed()) {
                continue;
            }
            InvocationGraph g = rec.request().graph();
            for (int i = 0; i < g.size(); i++) {
                LatencyRecorder[] r = byTask.computeIfAbsent(g.node(i).taskKey(),
                        k -> new LatencyRecorder[] {new LatencyRecorder(), new LatencyRecorder()});
                r[0].recordMs((rec.startedNanos(i) - rec.queuedNanos(i)) / 1e6);
                r[1].recordMs((rec.finishedNanos(i) - rec.startedNanos(i)) / 1e6);
            }
        }
        List<StageStats> out = new ArrayList<>();
        byTask.forEach((task, r) -> out.add(new StageStats(task, r[0].stats().count(), r[0].stats(), r[1].stats())));
        return out;
    }
}
