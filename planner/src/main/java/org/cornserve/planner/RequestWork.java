package org.cornserve.planner;

import java.util.Map;
import java.util.TreeMap;

/**
 * The work of one request, per unit task it touches (keyed by the whole task's id; a split LLM's halves
 * read the LLM's entry). Tasks a request skips are absent.
 *
 * @param work task id to work
 */
public record RequestWork(Map<String, TaskWork> work) {
    public RequestWork {
        if (work == null || work.isEmpty()) {
            throw new IllegalArgumentException("a request must touch at least one task");
        }
        work = Map.copyOf(new TreeMap<>(work));
    }

    public TaskWork of(String taskId) {
        return work.get(taskId);
    }
}
