package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.cornserve.model.Modality;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default plan served with async scheduling (steps sent while the previous one computes, ends applied one step
 * late) against the same plan served without: the same requests at temperature 0, sent together so that steps
 * batch and sequences end inside shared steps, get the same answers, token for token, with audio where asked, and
 * nothing past an answer's end reaches the client.
 */
@Tag("integration")
@Timeout(400)
class AsyncSchedulingIntegrationTest {

    private static List<ModelRequest> requests() throws Exception {
        List<ModelRequest> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            out.add(new ModelRequest("tiny-omni", "Question " + i + ": what comes next?",
                    i % 4 == 0 ? List.of(ControlPlaneIntegrationTest.png(56, 56, i)) : List.of(),
                    i % 3 == 0 ? List.of(ControlPlaneIntegrationTest.wav(0.5)) : List.of(), 4 + 3 * i, 0, i,
                    i == 5 ? Set.of(Modality.TEXT, Modality.AUDIO) : Set.of(Modality.TEXT)));
        }
        return out;
    }

    private static List<CollectingSink> serve(boolean async) throws Exception {
        Path shm = Files.createTempDirectory("cornserve-async-it");
        ResolvedPlan plan = PlanValidator.builtIn().validate(Runtimes.defaultPlan().plan().withAsyncScheduling(async));
        List<CollectingSink> sinks = new ArrayList<>();
        try (ControlPlane runtime = Runtimes.start(plan, DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withRequestTimeoutMillis(120_000))) {
            for (ModelRequest r : requests()) {
                CollectingSink sink = new CollectingSink();
                runtime.invoke(r, sink);
                sinks.add(sink);
            }
            for (CollectingSink sink : sinks) {
                assertTrue(sink.await(180), "answered");
            }
        }
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
        Files.delete(shm);
        return sinks;
    }

    @Test
    void asyncSchedulingAnswersAsSyncSchedulingDoes() throws Exception {
        List<CollectingSink> sync = serve(false);
        List<CollectingSink> async = serve(true);
        List<ModelRequest> requests = requests();
        for (int i = 0; i < sync.size(); i++) {
            CollectingSink s = sync.get(i);
            CollectingSink a = async.get(i);
            assertNull(s.failure, "sync request " + i);
            assertNull(a.failure, "async request " + i);
            assertEquals(s.text.toString(), a.text.toString(), "request " + i + "'s answer");
            assertEquals(s.usage, a.usage, "request " + i + "'s token counts");
            assertTrue(a.usage.completionTokens() <= requests.get(i).maxTokens(), "no token past the cap");
            assertEquals(s.audio.size(), a.audio.size(), "request " + i + "'s audio");
            assertEquals(1, a.ends(), "one end per request");
        }
    }
}
