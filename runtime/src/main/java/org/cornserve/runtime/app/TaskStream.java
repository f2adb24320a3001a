package org.cornserve.runtime.app;

/** A running task call's outputs, in order. Read from one thread. */
public interface TaskStream {

    /**
     * The next event, waiting for it; {@link TaskEvent.Done} is the last, then null.
     *
     * @throws TaskFailedException when the call failed
     * @throws java.util.concurrent.CancellationException when the request was cancelled (the client left)
     */
    TaskEvent next() throws InterruptedException;

    /** Waits for the whole call and returns everything it produced. */
    default TaskResult collect() throws InterruptedException {
        StringBuilder text = new StringBuilder();
        byte[] audio = null;
        byte[] image = null;
        for (TaskEvent e = next(); e != null; e = next()) {
            switch (e) {
                case TaskEvent.FirstToken f -> { }
                case TaskEvent.Text t -> text.append(t.delta());
                case TaskEvent.Audio a -> audio = a.wav();
                case TaskEvent.Image i -> image = i.png();
                case TaskEvent.Done d -> {
                    return new TaskResult(text.toString(), audio, image, d.promptTokens(), d.completionTokens());
                }
            }
        }
        throw new IllegalStateException("the stream ended without a Done event");
    }
}
