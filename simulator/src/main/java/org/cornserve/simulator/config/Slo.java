package org.cornserve.simulator.config;

/**
 * Latency targets of an app; 0 means no target on that measure. A request meets its SLO when it completes
 * and every set target holds (TPOT only binds requests with two or more output tokens). A request whose
 * response includes speech also meets the streaming-speech target when one is set: its first audio within
 * {@code ttfaMs} of arrival, and {@code completion - firstAudio <= speechRtf * audioSeconds + speechSlackMs}
 * (the rest of the speech is produced at least as fast as it plays, within a buffer allowance). Same syntax
 * and defaults as the planner's {@link org.cornserve.planner.Slo}, whose parser this one uses.
 *
 * @param ttfaMs time to first audio of speech responses
 * @param speechRtf largest real-time factor of the speech after its first audio
 * @param speechSlackMs allowance added to the speech's duration
 */
public record Slo(double ttftMs, double tpotMs, double e2eMs, double ttfaMs, double speechRtf, double speechSlackMs) {

    public static final Slo NONE = new Slo(0, 0, 0);

    public Slo {
        if (!(ttftMs >= 0) || !(tpotMs >= 0) || !(e2eMs >= 0) || !(ttfaMs >= 0) || !(speechRtf >= 0)
                || !(speechSlackMs >= 0)) {
            throw new IllegalArgumentException("SLO targets must be >= 0 (0 = none): ttft=" + ttftMs + " tpot="
                    + tpotMs + " e2e=" + e2eMs + " ttfa=" + ttfaMs + " speech_rtf=" + speechRtf + " speech_slack="
                    + speechSlackMs);
        }
    }

    /** Text targets only. */
    public Slo(double ttftMs, double tpotMs, double e2eMs) {
        this(ttftMs, tpotMs, e2eMs, 0, 0, 0);
    }

    /** The simulator's copy of the planner's targets (the attainment target is the caller's business). */
    public static Slo of(org.cornserve.planner.Slo slo) {
        return new Slo(slo.ttftMs(), slo.tpotMs(), slo.e2eMs(), slo.ttfaMs(), slo.speechRtf(), slo.speechSlackMs());
    }

    /**
     * Parses {@code ttft=MS,tpot=MS,e2e=MS,ttfa=MS,speech_rtf=R,speech_slack=MS} (any subset); see
     * {@link org.cornserve.planner.Slo#parse} for the defaults.
     */
    public static Slo parse(String text) {
        return of(org.cornserve.planner.Slo.parse(text, org.cornserve.planner.Slo.DEFAULT_ATTAINMENT));
    }

    /** Whether a speech target is set. */
    public boolean hasSpeechTarget() {
        return ttfaMs > 0 || speechRtf > 0;
    }

    /** Whether a completed request with these latencies meets every set text target. */
    public boolean met(double ttftMsValue, double tpotMsValue, double e2eMsValue, long outputTokens) {
        return (ttftMs == 0 || ttftMsValue <= ttftMs)
                && (tpotMs == 0 || outputTokens < 2 || tpotMsValue <= tpotMs)
                && (e2eMs == 0 || e2eMsValue <= e2eMs);
    }

    /**
     * Whether a speech response meets the speech target (true when none is set).
     *
     * @param ttfaMsValue time from arrival to the first audio
     * @param afterFirstAudioMs time from the first audio to the request's completion
     * @param audioSeconds duration of the speech
     */
    public boolean speechMet(double ttfaMsValue, double afterFirstAudioMs, double audioSeconds) {
        return (ttfaMs == 0 || ttfaMsValue <= ttfaMs)
                && (speechRtf == 0 || afterFirstAudioMs <= speechRtf * audioSeconds * 1e3 + speechSlackMs);
    }
}
