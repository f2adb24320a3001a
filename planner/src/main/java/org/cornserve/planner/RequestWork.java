package org.cornserve.planner;

import java.util.Map;
import java.util.TreeMap;

/**
 * The work of one request, per unit task it touches (keyed by the whole task's id; a split LLM's halves
 * read the LLM's entry). Tasks a request skips are absent.
 *
 * @param work task id to work
 * @param audioSeconds duration of the speech in the response (vocoder samples over its sample rate), 0 for none
 */
public record RequestWork(Map<String, TaskWork> work, double audioSeconds) {
    public RequestWork {
        if (work == null || work.isEmpty()) {
            throw new IllegalArgumentException("a request must touch at least one task");
        }
        if (!(audioSeconds >= 0) || Double.isInfinite(audioSeconds)) {
            throw new IllegalArgumentException("audio seconds must be >= 0, got " + audioSeconds);
        }
        work = Map.copyOf(new TreeMap<>(work));
    }

    /** A request without speech output. */
    public RequestWork(Map<String, TaskWork> work) {
        this(work, 0);
    }

    public TaskWork of(String taskId) {
        return work.get(taskId);
    }
}
