package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** Facts handed in from many threads, some run there, never overlap, all run, and keep each thread's order. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void factsFromManyThreadsRunOneAtATimeInOrder(long seed) throws Exception {
        int threads = 4;
        int perThread = 2000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int[] last = new int[threads];
        java.util.Arrays.fill(last, -1);
        List<String> outOfOrder = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(threads * perThread);
        try (ControlLoop loop = new ControlLoop("test-loop", System::nanoTime)) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                SplittableRandom rnd = new SplittableRandom(seed * 31 + t);
                workers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int n = i;
                        Runnable fact = () -> {
                            if (inside.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            assertTrue(loop.onLoop());
                            if (last[me] != n - 1) {
                                outOfOrder.add("thread " + me + ": " + n + " after " + last[me]);
                            }
                            last[me] = n;
                            inside.decrementAndGet();
                            all.countDown();
                        };
                        if (rnd.nextBoolean()) {
                            loop.runHere(fact);
                        } else {
                            loop.post(fact);
                        }
                    }
                }));
                workers.get(t).setName("worker-" + t);
            }
            assertTrue(all.await(30, TimeUnit.SECONDS), "facts left: " + all.getCount());
            for (Thread w : workers) {
                w.join();
            }
            assertEquals(0, overlaps.get(), "facts overlapped");
            assertEquals(List.of(), outOfOrder);
            assertFalse(loop.onLoop());
        }
    }

    @Test
    void runHereRunsOnTheCallerWhenTheLoopIsFreeAndItsTimersStillFire() throws InterruptedException {
        try (ControlLoop loop = new ControlLoop("test-loop", System::nanoTime)) {
            Thread.sleep(20);
            List<String> where = new CopyOnWriteArrayList<>();
            CountDownLatch timer = new CountDownLatch(1);
            loop.runHere(() -> {
                where.add(Thread.currentThread().getName());
                // a timer set on a borrowed turn wakes the loop thread, which sleeps towards no timer at all
                loop.at(loop.nowNanos() + TimeUnit.MILLISECONDS.toNanos(30), () -> {
                    where.add(Thread.currentThread().getName());
                    timer.countDown();
                });
            });
            assertEquals(List.of(Thread.currentThread().getName()), where, "ran on the caller, at once");
            assertTrue(timer.await(2, TimeUnit.SECONDS), "the timer fired");
            assertEquals("test-loop", where.get(1));
        }
    }

    @Test
    void aFactPostedFromInsideAFactRunsAfterIt() throws InterruptedException {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (ControlLoop loop = new ControlLoop("test-loop", System::nanoTime)) {
            loop.runHere(() -> {
                loop.runHere(() -> {
                    ran.add("inner");
                    done.countDown();
                });
                ran.add("outer");
            });
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(List.of("outer", "inner"), ran);
        }
    }

    /**
     * An action asked for during a fact runs once when the fact ends (asked twice, or the fact thrown), before the
     * next fact; outside a fact nothing is kept. Facts come posted and handed in from other threads (seeded).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void actionsAskedDuringAFactRunOnceWhenItEnds(long seed) throws InterruptedException {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> log = new CopyOnWriteArrayList<>();
        int facts = 200;
        CountDownLatch done = new CountDownLatch(facts);
        try (ControlLoop loop = new ControlLoop("test-loop", System::nanoTime)) {
            assertFalse(loop.atFactEnd(() -> log.add("outside")), "not inside a fact");
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<Integer> mine = new ArrayList<>();
                for (int i = t; i < facts; i += 4) {
                    mine.add(i);
                }
                boolean post = rnd.nextBoolean();
                boolean[] throwing = new boolean[facts];
                for (int i : mine) {
                    throwing[i] = rnd.nextInt(5) == 0;
                }
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i : mine) {
                        Runnable end = () -> {
                            log.add("end " + i);
                            done.countDown();
                        };
                        Runnable fact = () -> {
                            log.add("fact " + i);
                            assertTrue(loop.atFactEnd(end));
                            assertTrue(loop.atFactEnd(end));
                            if (throwing[i]) {
                                throw new IllegalStateException("fact " + i + " throws (expected by the test)");
                            }
                        };
                        if (post) {
                            loop.post(fact);
                        } else {
                            loop.runHere(fact);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(2 * facts, log.size(), "each end ran once: " + log);
        for (int k = 0; k < log.size(); k += 2) {
            String fact = log.get(k);
            assertTrue(fact.startsWith("fact "), log.toString());
            assertEquals("end " + fact.substring(5), log.get(k + 1), "the end runs right after its fact");
        }
    }
}
