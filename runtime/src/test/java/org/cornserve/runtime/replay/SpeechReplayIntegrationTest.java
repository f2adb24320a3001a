package org.cornserve.runtime.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.request.RequestShape;
import org.cornserve.runtime.control.ControlPlane;
import org.cornserve.runtime.control.DeviceSlots;
import org.cornserve.runtime.control.RuntimeOptions;
import org.cornserve.runtime.control.Runtimes;
import org.cornserve.runtime.gateway.Gateway;
import org.cornserve.runtime.gateway.GatewaySettings;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Speech answers replayed against the real runtime (the embedded tiny-omni plan, executor processes): through the
 * chat endpoint streamed (text chunks, then the WAV in a {@code delta.audio} chunk) and through the voice app (one
 * JSON answer carrying both), each records its time to first audio and the WAV's duration.
 */
@Tag("integration")
class SpeechReplayIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;


    @Test
    @Timeout(300)
    void speechAnswersRecordTheirFirstAudioAgainstTheRealServer() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        List<TraceRecord> trace = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            trace.add(new TraceRecord(i * 200_000_000L, "voice", new RequestShape(12, List.of(), 6,
                    Set.of(Modality.TEXT, Modality.AUDIO))));
        }
        try (ControlPlane runtime = Runtimes.start(Runtimes.defaultPlan(), DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withDeployOnRegister(true));
                Gateway gateway = Gateway.start(GatewaySettings.loopback(0, GatewaySettings.newAdminToken()), runtime)) {
            RequestSynthesizer omni = new RequestSynthesizer(ModelCatalog.builtIn().model("tiny-omni"));
            for (ReplayApi api : List.of(ReplayApi.CHAT, ReplayApi.INVOKE)) {
                String target = api == ReplayApi.CHAT ? "tiny-omni" : "voice";
                List<ReplayRecord> recs;
                try (Replayer r = new Replayer(new ReplaySettings(URI.create(gateway.url()), api, target, 1,
                        Duration.ofSeconds(120), true), omni)) {
                    recs = r.run(trace);
                }
                for (ReplayRecord rec : recs) {
                    assertNull(rec.failure(), api + ": " + rec.message());
                    assertTrue(rec.audioSeconds() >= 1.0, api + ": at least a second of speech: " + rec);
                    assertTrue(rec.firstAudioNanos() >= rec.firstTokenNanos() && rec.firstAudioNanos() <= rec.endNanos(),
                            api + ": the first audio comes with or after the first text: " + rec);
                    System.out.printf("%s %s: TTFT %.1f ms, TTFA %.1f ms, %.2f s of speech%n", api, target,
                            (rec.firstTokenNanos() - rec.sentNanos()) / 1e6, rec.ttfaMs(), rec.audioSeconds());
                }
                if (api == ReplayApi.CHAT) {
                    assertTrue(recs.stream().anyMatch(rec -> rec.firstAudioNanos() > rec.firstTokenNanos()),
                            "streamed: the WAV comes after the text: " + recs);
                } else {
                    recs.forEach(rec -> assertEquals(rec.firstTokenNanos(), rec.firstAudioNanos(),
                            "one JSON answer carries text and audio at once"));
                }
            }
        }
    }
}
