package org.cornserve.runtime.launch.kubernetes;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cornserve.runtime.serve.OutputSink;

/** A sink that waits for a request's end and keeps its failure, if any. */
final class EndSink implements OutputSink {
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Failure failure;

    @Override
    public void text(String delta) {
    }

    @Override
    public void audio(byte[] wav) {
    }

    @Override
    public void image(byte[] png) {
    }

    @Override
    public void completed(Usage usage) {
        done.countDown();
    }

    @Override
    public void failed(Failure f) {
        failure = f;
        done.countDown();
    }

    boolean await(long seconds) throws InterruptedException {
        return done.await(seconds, TimeUnit.SECONDS);
    }

    Failure failure() {
        return failure;
    }
}
