package org.cornserve.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileSource;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The profiler drives a real executor process through a small grid and leaves nothing behind. */
@Tag("integration")
class ProfileMeasurerIntegrationTest {
    @TempDir
    Path shm;

    @Test
    @Timeout(180)
    void measuresTinyVlOnARealExecutor() throws Exception {
        MeasureGrid grid = new MeasureGrid(List.of(1, 2, 4), List.of(0L, 64L), List.of(1L, 16L, 64L, 128L),
                List.of(1, 2), List.of(1L, 16L), 1);
        AtomicInteger last = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        ProfileMeasurer.Result r;
        try (LocalProcessLauncher launcher = new LocalProcessLauncher()) {
            r = new ProfileMeasurer(launcher, shm, 120_000).measure("tiny-vl", HardwareCatalog.builtIn().get("cpu"), 1,
                    1, grid, (done, n, what) -> {
                        assertEquals(last.get() + 1, done, "progress counts up by one");
                        last.set(done);
                        total.set(n);
                    });
        }
        assertEquals(total.get(), last.get(), "progress reaches its total");
        assertEquals(2 * 2 + 4 + 3 * 2, total.get());
        List<Profile> ps = r.profiles().profiles();
        assertEquals(List.of("tiny-vl/vision-encoder", "tiny-vl/llm"), ps.stream().map(Profile::task).toList());
        for (Profile p : ps) {
            assertEquals(ProfileSource.MEASURED, p.source());
            assertEquals(1, p.tensorParallel());
            assertTrue(p.note().contains("roofline estimate answers"), p.note());
        }
        Profile llm = ps.get(1);
        assertEquals(6, llm.decode().size());
        assertEquals(4, llm.prefill().size());
        // a longer prompt costs more: 128 tokens against 1 token, well beyond timer noise
        assertTrue(llm.prefill().get(3).latencyMs() > llm.prefill().get(0).latencyMs(), llm.prefill().toString());
        assertTrue(llm.cpuOverheadMs() >= 0);
        assertTrue(r.profiles().measurement().path("tasks").size() == 2);
        assertTrue(r.profiles().measurement().path("frontiers").has("tiny-vl/llm"));
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file left");
        }
    }
}
