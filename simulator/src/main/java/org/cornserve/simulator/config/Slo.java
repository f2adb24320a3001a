package org.cornserve.simulator.config;

/**
 * Latency targets of an app; 0 means no target on that measure. A request meets its SLO when it completes
 * and every set target holds (TPOT only binds requests with two or more output tokens).
 */
public record Slo(double ttftMs, double tpotMs, double e2eMs) {

    public static final Slo NONE = new Slo(0, 0, 0);

    public Slo {
        if (!(ttftMs >= 0) || !(tpotMs >= 0) || !(e2eMs >= 0)) {
            throw new IllegalArgumentException("SLO targets must be >= 0 ms (0 = none): ttft=" + ttftMs + " tpot="
                    + tpotMs + " e2e=" + e2eMs);
        }
    }

    /** Parses {@code ttft=MS,tpot=MS,e2e=MS} (any subset). */
    public static Slo parse(String text) {
        double ttft = 0;
        double tpot = 0;
        double e2e = 0;
        for (String part : text.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("SLO '" + text + "': expected name=ms pairs like ttft=500,tpot=50,e2e=10000");
            }
            double ms;
            try {
                ms = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SLO '" + text + "': '" + kv[1] + "' is not a number of milliseconds");
            }
            switch (kv[0].trim().toLowerCase(java.util.Locale.ROOT)) {
                case "ttft" -> ttft = ms;
                case "tpot" -> tpot = ms;
                case "e2e" -> e2e = ms;
                default -> throw new IllegalArgumentException("SLO '" + text + "': unknown target '" + kv[0]
                        + "'; known: ttft, tpot, e2e");
            }
        }
        return new Slo(ttft, tpot, e2e);
    }

    /** Whether a completed request with these latencies meets every set target. */
    public boolean met(double ttftMsValue, double tpotMsValue, double e2eMsValue, long outputTokens) {
        return (ttftMs == 0 || ttftMsValue <= ttftMs)
                && (tpotMs == 0 || outputTokens < 2 || tpotMsValue <= tpotMs)
                && (e2eMs == 0 || e2eMsValue <= e2eMs);
    }
}
