package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ControlLoopTest {

    @Test
    void timersRunInTimeOrderAndEqualTimesAreAllKept() throws InterruptedException {
        AtomicLong clock = new AtomicLong(0);
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(4);
        try (ControlLoop loop = new ControlLoop("test-loop", clock::get)) {
            loop.post(() -> {
                loop.at(200, () -> {
                    ran.add("b200");
                    done.countDown();
                });
                loop.at(100, () -> {
                    ran.add("a100");
                    done.countDown();
                });
                loop.at(200, () -> {
                    ran.add("c200");
                    done.countDown();
                });
                loop.at(-5, () -> {
                    ran.add("past");
                    done.countDown();
                });
            });
            Thread.sleep(50);
            assertEquals(List.of("past"), ran, "a timer already due runs; the others wait for the clock");
            clock.set(250);
            loop.post(() -> { });
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(List.of("past", "a100", "b200", "c200"), ran);
        }
    }

    @Test
    void aFactThatThrowsDoesNotStopTheLoop() throws InterruptedException {
        CountDownLatch after = new CountDownLatch(1);
        try (ControlLoop loop = new ControlLoop("test-loop", System::nanoTime)) {
            loop.post(() -> {
                throw new IllegalStateException("boom (expected by the test)");
            });
            loop.post(after::countDown);
            assertTrue(after.await(5, TimeUnit.SECONDS));
        }
    }
}
