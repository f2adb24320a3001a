package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.cornserve.model.Modality;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The streamed hand-off where the thinker and its talker share a replica (the core hands chunks over without a
 * transfer, and moves nothing for the rest): a spoken answer served streamed has the same text as served whole (the
 * thinker is greedy and unchanged), a WAV of at least a second, and nothing is left in shared memory.
 */
@Tag("integration")
@Timeout(400)
class ColocatedStreamIntegrationTest {

    private static CollectingSink serve(ResolvedPlan plan, Path shm) throws Exception {
        try (ControlPlane runtime = Runtimes.start(plan, DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withRequestTimeoutMillis(120_000))) {
            CollectingSink sink = new CollectingSink();
            runtime.invoke(new ModelRequest("tiny-omni", "Say something.", List.of(), List.of(), 12, 0, 3,
                    Set.of(Modality.TEXT, Modality.AUDIO)), sink);
            assertTrue(sink.await(180), "answered");
            assertNull(sink.failure, () -> "failed: " + sink.failure);
            return sink;
        }
    }

    @Test
    void aTalkerOnTheThinkersReplicaTakesTheStreamedStates() throws Exception {
        ResolvedPlan streamed = PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-omni-monolith-cpu.json"));
        assertEquals(1, streamed.plan().streamChunkTokensOrDefault());
        ResolvedPlan whole = PlanValidator.builtIn().validate(streamed.plan().withStreamChunkTokens(0));
        Path shm = Files.createTempDirectory("cornserve-colocated-it");
        CollectingSink s = serve(streamed, shm);
        CollectingSink w = serve(whole, shm);
        assertEquals(w.text.toString(), s.text.toString(), "the thinker's answer does not depend on the hand-off");
        assertEquals(1, s.audio.size());
        WavFiles.Audio streamedWav = WavFiles.read(s.audio.get(0), "streamed answer");
        WavFiles.Audio wholeWav = WavFiles.read(w.audio.get(0), "whole answer");
        assertTrue(streamedWav.samples().length >= wholeWav.sampleRate(), "a second of speech at least");
        // the talker learnt from the last states how many codes the answer needs (the talker lags the thinker,
        // so it had not made more): as many as the whole hand-off opens it with, not its cap
        assertEquals(wholeWav.samples().length, streamedWav.samples().length, "the same length of speech");
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
        Files.delete(shm);
    }
}
