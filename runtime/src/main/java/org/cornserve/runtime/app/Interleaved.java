package org.cornserve.runtime.app;

/** Several task calls' events merged in arrival order, each labelled with the name it was given. */
public interface Interleaved {

    /** One event of the stream named {@code label}. */
    record Labeled(String label, TaskEvent event) {
    }

    /**
     * The next event of any stream, waiting for it; null once every stream sent its {@link TaskEvent.Done}.
     *
     * @throws TaskFailedException when one of the calls failed
     */
    Labeled next() throws InterruptedException;
}
