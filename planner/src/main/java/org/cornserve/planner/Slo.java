package org.cornserve.planner;

/**
 * Latency targets a request must meet to count towards goodput; a target of 0 is not checked.
 *
 * <p>Requests whose response includes speech also meet a <em>streaming-speech</em> target when one is set:
 * the first audio within {@code ttfaMs} of arrival, and the rest of the speech keeping up with playback,
 * {@code completion - firstAudio <= speechRtf * audioSeconds + speechSlackMs} (a real-time factor of at most
 * {@code speechRtf} after the first audio, with a fixed allowance for a playback buffer).
 *
 * @param ttftMs time to first token (for requests without text output: to the response)
 * @param tpotMs mean time per output token after the first
 * @param e2eMs end-to-end latency
 * @param ttfaMs time to first audio of speech responses
 * @param speechRtf largest real-time factor of the speech after its first audio (1 = as fast as it plays)
 * @param speechSlackMs allowance added to the speech's duration
 * @param attainmentTarget fraction of requests that must meet every target for a rate to count as
 *     served at the SLO (0.9 by default)
 */
public record Slo(double ttftMs, double tpotMs, double e2eMs, double ttfaMs, double speechRtf, double speechSlackMs,
        double attainmentTarget) {
    public static final double DEFAULT_ATTAINMENT = 0.9;
    /**
     * Default {@code speech_slack}: the vocoder of a simulated request runs once over the whole clip after the
     * talker's last frame, so its processing time (which a chunked deployment overlaps with playback) lands
     * at the end; 2 s also matches the playback buffer a voice client keeps.
     */
    public static final double DEFAULT_SPEECH_SLACK_MS = 2000;
    /** No target at all (every completed request meets it). */
    public static final Slo NONE = new Slo(0, 0, 0);
    /** The names {@link #parse} knows. */
    public static final String KNOWN = "ttft, tpot, e2e (ms), ttfa (ms), speech_rtf (ratio), speech_slack (ms)";

    public Slo {
        if (!(ttftMs >= 0) || !(tpotMs >= 0) || !(e2eMs >= 0) || !(ttfaMs >= 0) || !(speechRtf >= 0)
                || !(speechSlackMs >= 0)) {
            throw new IllegalArgumentException("SLO targets must be >= 0 (0 = unchecked): ttft=" + ttftMs + " tpot="
                    + tpotMs + " e2e=" + e2eMs + " ttfa=" + ttfaMs + " speech_rtf=" + speechRtf + " speech_slack="
                    + speechSlackMs);
        }
        if (!(attainmentTarget > 0 && attainmentTarget <= 1)) {
            throw new IllegalArgumentException("SLO attainment target must be in (0, 1], got " + attainmentTarget);
        }
    }

    /** Text targets only (no speech target). */
    public Slo(double ttftMs, double tpotMs, double e2eMs, double attainmentTarget) {
        this(ttftMs, tpotMs, e2eMs, 0, 0, 0, attainmentTarget);
    }

    /** Text targets only, with the default attainment target. */
    public Slo(double ttftMs, double tpotMs, double e2eMs) {
        this(ttftMs, tpotMs, e2eMs, DEFAULT_ATTAINMENT);
    }

    /** {@link #parse(String, double)} with the default attainment target. */
    public static Slo parse(String text) {
        return parse(text, DEFAULT_ATTAINMENT);
    }

    /**
     * Whether a completed request with these latencies meets every set text target (TPOT binds only requests
     * with two or more output tokens).
     */
    public boolean met(double ttftMsValue, double tpotMsValue, double e2eMsValue, long outputTokens) {
        return (ttftMs == 0 || ttftMsValue <= ttftMs)
                && (tpotMs == 0 || outputTokens < 2 || tpotMsValue <= tpotMs)
                && (e2eMs == 0 || e2eMsValue <= e2eMs);
    }

    /** Whether a speech target is set (speech responses are judged on it too). */
    public boolean hasSpeechTarget() {
        return ttfaMs > 0 || speechRtf > 0;
    }

    /**
     * Parses {@code ttft=MS,tpot=MS,e2e=MS,ttfa=MS,speech_rtf=R,speech_slack=MS} (any subset, any order). With
     * {@code speech_rtf} set, an absent {@code ttfa} takes TTFT's value and an absent {@code speech_slack}
     * {@link #DEFAULT_SPEECH_SLACK_MS}.
     *
     * @throws IllegalArgumentException naming the bad part
     */
    public static Slo parse(String text, double attainmentTarget) {
        double ttft = 0;
        double tpot = 0;
        double e2e = 0;
        double ttfa = -1;
        double rtf = 0;
        double slack = -1;
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("SLO part '" + part + "' is not name=value (e.g. ttft=2000)");
            }
            double v;
            try {
                v = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SLO part '" + part + "': '" + kv[1] + "' is not a number");
            }
            switch (kv[0].trim().toLowerCase(java.util.Locale.ROOT)) {
                case "ttft" -> ttft = v;
                case "tpot" -> tpot = v;
                case "e2e" -> e2e = v;
                case "ttfa" -> ttfa = requireNonNegative(part, v);
                case "speech_rtf" -> rtf = v;
                case "speech_slack" -> slack = requireNonNegative(part, v);
                default -> throw new IllegalArgumentException("SLO part '" + part + "': unknown target '" + kv[0]
                        + "'; known: " + KNOWN);
            }
        }
        if (ttfa < 0) {
            ttfa = rtf > 0 ? ttft : 0;
        }
        if (slack < 0) {
            slack = rtf > 0 ? DEFAULT_SPEECH_SLACK_MS : 0;
        }
        return new Slo(ttft, tpot, e2e, ttfa, rtf, slack, attainmentTarget);
    }

    private static double requireNonNegative(String part, double v) {
        if (!(v >= 0)) {
            throw new IllegalArgumentException("SLO part '" + part + "' must be >= 0");
        }
        return v;
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

    @Override
    public String toString() {
        String speech = hasSpeechTarget() ? ",ttfa=" + ttfaMs + ",speech_rtf=" + speechRtf + ",speech_slack="
                + speechSlackMs : "";
        return "ttft=" + ttftMs + ",tpot=" + tpotMs + ",e2e=" + e2eMs + speech + "@" + attainmentTarget;
    }
}
