package org.cornserve.runtime.control;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cornserve.runtime.serve.OutputSink;

/** A sink that records what it gets and lets a test wait for the end. */
final class CollectingSink implements OutputSink {
    final StringBuilder text = new StringBuilder();
    final List<byte[]> audio = new ArrayList<>();
    final List<byte[]> images = new ArrayList<>();
    volatile Usage usage;
    volatile Failure failure;
    volatile long firstTextNanos = -1;
    volatile long firstTokenNanos = -1;
    volatile int firstTokens;
    private final CountDownLatch done = new CountDownLatch(1);
    private int ends;

    @Override
    public synchronized void firstToken() {
        if (firstTokenNanos < 0) {
            firstTokenNanos = System.nanoTime();
        }
        firstTokens++;
    }

    @Override
    public synchronized void text(String delta) {
        if (firstTextNanos < 0) {
            firstTextNanos = System.nanoTime();
        }
        text.append(delta);
    }

    @Override
    public synchronized void audio(byte[] wav) {
        audio.add(wav);
    }

    @Override
    public synchronized void image(byte[] png) {
        images.add(png);
    }

    @Override
    public synchronized void completed(Usage u) {
        usage = u;
        ends++;
        done.countDown();
    }

    @Override
    public synchronized void failed(Failure f) {
        failure = f;
        ends++;
        done.countDown();
    }

    boolean await(long seconds) throws InterruptedException {
        return done.await(seconds, TimeUnit.SECONDS);
    }

    synchronized int ends() {
        return ends;
    }
}
