package org.cornserve.simulator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.event.SimRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The streaming-speech criterion worked by hand: a request arriving at 1 s whose talker emits its first codec
 * frame at 1.5 s (time to first audio 500 ms) and whose 10 s of speech (240,000 samples at 24 kHz) complete at
 * a chosen time; with {@code speech_rtf=1} and 2 s of slack the bound is completion <= 1.5 + 10 + 2 = 13.5 s.
 */
class SpeechCriterionTest {
    private static final long SECOND = 1_000_000_000L;

    /** thinker (output text) -> talker (500 codec frames) -> vocoder (output waveform), 10 s of speech. */
    static InvocationGraph speechGraph() {
        return InvocationGraph.of(List.of(
                new Invocation("omni/llm", Work.llm(100, 50), true),
                new Invocation("omni/talker", Work.llm(150, 500), false),
                new Invocation("omni/vocoder", Work.batch(Modality.AUDIO, 1, 500), true)),
                List.of(new DataEdge(0, 1, 1000), new DataEdge(1, 2, 1000))).withSpeech(2, 1, 240_000 / 24_000.0);
    }

    private static RequestRecord record(long firstAudioNanos, long completionNanos) {
        RequestRecord r = new RequestRecord(new SimRequest(7, SECOND, "omni", speechGraph(), 100));
        r.firstOutput(SECOND + 200_000_000L);
        r.finished(0, SECOND + 700_000_000L);
        r.speechStreamStarted(firstAudioNanos);
        r.speechStreamStarted(firstAudioNanos + SECOND); // only the first frame counts
        r.finished(1, completionNanos - 100_000_000L);
        r.finished(2, completionNanos);
        r.completed(completionNanos);
        return r;
    }

    @ParameterizedTest
    @CsvSource({
        // first audio (ms after 0), completion (ms), ttfa target (ms), expected
        "1500, 13500, 500, true",   // exactly on both bounds: 12 s after first audio = 10 s of speech + 2 s
        "1500, 13501, 500, false",  // 1 ms late: the speech stalls past the playback buffer
        "1500, 11500, 500, true",   // exactly real time (RTF 1.0), none of the slack used
        "1501, 13000, 500, false",  // first audio 501 ms after arrival
        "1501, 13000, 0, false",    // no ttfa given: TTFT's 500 ms applies
    })
    void requestMeetsTheSpeechTargetOnlyWithinBothBounds(long firstAudioMs, long completionMs, double ttfaMs,
            boolean expected) {
        Slo slo = ttfaMs > 0 ? Slo.parse("ttft=500,ttfa=" + ttfaMs + ",speech_rtf=1") : Slo.parse("ttft=500,speech_rtf=1");
        RequestRecord r = record(firstAudioMs * 1_000_000L, completionMs * 1_000_000L);
        assertEquals(firstAudioMs * 1_000_000L, r.firstAudioNanos());
        assertEquals(10.0, r.audioSeconds(), 0);
        assertEquals(firstAudioMs - 1000, r.ttfaMs(), 1e-9);
        assertEquals((completionMs - firstAudioMs) / 10_000.0, r.speechRtf(), 1e-12);
        assertEquals(expected, slo.speechMet(r.ttfaMs(), (completionMs - firstAudioMs), r.audioSeconds()));
    }

    @Test
    void parsingDefaultsAndNames() {
        Slo s = Slo.parse("ttft=2000,tpot=100,speech_rtf=1");
        assertEquals(new Slo(2000, 100, 0, 2000, 1, 2000, Slo.DEFAULT_ATTAINMENT), s, "ttfa defaults to TTFT, slack to 2 s");
        assertEquals(new Slo(2000, 100, 0, 800, 1.5, 500, Slo.DEFAULT_ATTAINMENT), Slo.parse("ttft=2000,tpot=100,ttfa=800,speech_rtf=1.5,speech_slack=500"));
        assertEquals(new Slo(2000, 100, 0), Slo.parse("ttft=2000,tpot=100"), "no speech target unless asked");
        assertFalse(Slo.parse("ttft=2000").hasSpeechTarget());
        assertTrue(Slo.parse("ttfa=900").hasSpeechTarget());
        assertTrue(Slo.NONE.speechMet(1e9, 1e9, 1), "no target, always met");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Slo.parse("speech_rtf=-1"));
        assertTrue(e.getMessage().contains("speech_rtf=-1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Slo.parse("ttft=1,speech_lag=3"));
        assertTrue(e.getMessage().contains("unknown target 'speech_lag'") && e.getMessage().contains("speech_rtf"),
                e.getMessage());
        assertEquals("ttft=2000.0,tpot=0.0,e2e=0.0,ttfa=2000.0,speech_rtf=1.0,speech_slack=2000.0@0.9",
                Slo.parse("ttft=2000,speech_rtf=1").toString());
    }

    @Test
    void withoutAStreamingSourceTheFirstAudioIsTheVocodersFinish() {
        InvocationGraph g = InvocationGraph.of(List.of(
                new Invocation("tts/vocoder", Work.batch(Modality.AUDIO, 1, 100), true)), List.of()).withSpeech(0, -1, 2);
        RequestRecord r = new RequestRecord(new SimRequest(1, 0, "tts", g, 0));
        r.firstOutput(3 * SECOND);
        r.finished(0, 3 * SECOND);
        r.completed(3 * SECOND);
        assertEquals(3 * SECOND, r.firstAudioNanos());
        assertEquals(0, r.speechRtf());
        assertThrows(IllegalArgumentException.class, () -> speechGraph().withSpeech(1, 0, 1), "talker is no output");
        assertThrows(IllegalArgumentException.class, () -> speechGraph().withSpeech(2, 0, 1), "thinker does not feed it");
        assertThrows(IllegalArgumentException.class, () -> speechGraph().withSpeech(2, 1, 0));
    }
}
