package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** An executor's "JVM start to main" figure: this process's age, against the JVM's own uptime. */
class ProcessAgeTest {
    @Test
    void processAgeIsTheJvmsUptimeToTheProcsResolution() {
        long uptimeBefore = ManagementFactory.getRuntimeMXBean().getUptime();
        long ageMs = ExecutorMain.processAgeNanos() / 1_000_000;
        long uptimeAfter = ManagementFactory.getRuntimeMXBean().getUptime();
        // the process is a little older than its JVM (the launcher's work before the VM starts, longer on a loaded
        // machine); /proc counts in 10 ms ticks. The start instant it replaced was off by up to a second.
        assertTrue(ageMs >= uptimeBefore - 20 && ageMs <= uptimeAfter + 500,
                "process age " + ageMs + " ms, JVM uptime " + uptimeBefore + " to " + uptimeAfter + " ms");
    }
}
