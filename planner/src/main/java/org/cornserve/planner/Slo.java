package org.cornserve.planner;

/**
 * Latency targets a request must meet to count towards goodput; a target of 0 is not checked.
 *
 * @param ttftMs time to first token (for requests without text output: to the response)
 * @param tpotMs mean time per output token after the first
 * @param e2eMs end-to-end latency
 * @param attainmentTarget fraction of requests that must meet every target for a rate to count as
 *     served at the SLO (0.9 by default)
 */
public record Slo(double ttftMs, double tpotMs, double e2eMs, double attainmentTarget) {
    public static final double DEFAULT_ATTAINMENT = 0.9;

    public Slo {
        if (!(ttftMs >= 0) || !(tpotMs >= 0) || !(e2eMs >= 0)) {
            throw new IllegalArgumentException("SLO targets must be >= 0 ms (0 = unchecked)");
        }
        if (!(attainmentTarget > 0 && attainmentTarget <= 1)) {
            throw new IllegalArgumentException("SLO attainment target must be in (0, 1], got " + attainmentTarget);
        }
    }

    /**
     * Parses {@code ttft=MS,tpot=MS,e2e=MS} (any subset, any order).
     *
     * @throws IllegalArgumentException naming the bad part
     */
    public static Slo parse(String text, double attainmentTarget) {
        double ttft = 0;
        double tpot = 0;
        double e2e = 0;
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("SLO part '" + part + "' is not name=milliseconds (e.g. ttft=2000)");
            }
            double ms;
            try {
                ms = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SLO part '" + part + "': '" + kv[1] + "' is not a number of ms");
            }
            switch (kv[0].trim().toLowerCase(java.util.Locale.ROOT)) {
                case "ttft" -> ttft = ms;
                case "tpot" -> tpot = ms;
                case "e2e" -> e2e = ms;
                default -> throw new IllegalArgumentException("SLO part '" + part + "': unknown target '" + kv[0]
                        + "'; known: ttft, tpot, e2e");
            }
        }
        return new Slo(ttft, tpot, e2e, attainmentTarget);
    }

    @Override
    public String toString() {
        return "ttft=" + ttftMs + ",tpot=" + tpotMs + ",e2e=" + e2eMs + "@" + attainmentTarget;
    }
}
