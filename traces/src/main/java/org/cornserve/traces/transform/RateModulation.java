package org.cornserve.traces.transform;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.TraceSource;

/**
 * A piecewise-constant rate multiplier over time: from {@code steps[i].startSeconds} on, the trace runs at
 * {@code multiplier} times its own rate. Applied as a time warp: a record at {@code s} seconds of the input is
 * moved to the output time {@code t} where {@code integral from 0 to t of m(u) du = s}, so the output's arrival
 * rate at {@code t} is the input's rate (around {@code s}) times {@code m(t)}; request shapes and order are kept.
 *
 * @param steps in increasing start order, the first at 0 s; multipliers > 0
 */
public record RateModulation(List<Step> steps) {

    /** From {@code startSeconds} on (output time), the rate is multiplied by {@code multiplier}. */
    public record Step(double startSeconds, double multiplier) {
        public Step {
            if (!(startSeconds >= 0) || !(multiplier > 0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("rate step needs a start >= 0 s and a multiplier > 0, got "
                        + startSeconds + ":" + multiplier);
            }
        }
    }

    public RateModulation {
        steps = List.copyOf(steps);
        if (steps.isEmpty() || steps.get(0).startSeconds() != 0) {
            throw new IllegalArgumentException("rate modulation must start with a step at 0 s, got " + steps);
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).startSeconds() <= steps.get(i - 1).startSeconds()) {
                throw new IllegalArgumentException("rate steps must start in increasing order, got " + steps);
            }
        }
    }

    /** Parses {@code START:MULTIPLIER,START:MULTIPLIER,...} (seconds), e.g. {@code 0:1,300:4,480:1}. */
    public static RateModulation parse(String text) {
        List<Step> steps = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] f = part.trim().split(":");
            try {
                if (f.length != 2) {
                    throw new NumberFormatException();
                }
                steps.add(new Step(Double.parseDouble(f[0].trim()), Double.parseDouble(f[1].trim())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("rate modulation wants START:MULTIPLIER[,...], got '" + part + "'");
            }
        }
        return new RateModulation(steps);
    }

    /** The output time (s) of an input time {@code inputSeconds}: the inverse of the multiplier's integral. */
    public double outputSeconds(double inputSeconds) {
        double covered = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step st = steps.get(i);
            double length = i + 1 < steps.size() ? steps.get(i + 1).startSeconds() - st.startSeconds() : Double.MAX_VALUE;
            double area = length * st.multiplier();
            if (inputSeconds <= covered + area) {
                return st.startSeconds() + (inputSeconds - covered) / st.multiplier();
            }
            covered += area;
        }
        throw new IllegalStateException("unreachable: the last step is unbounded");
    }

    /** The multiplier at output time {@code seconds}. */
    public double multiplierAt(double seconds) {
        double m = steps.get(0).multiplier();
        for (Step st : steps) {
            if (st.startSeconds() <= seconds) {
                m = st.multiplier();
            }
        }
        return m;
    }

    /** The source with its arrivals warped (streaming; arrival order is kept since the warp is increasing). */
    public TraceSource apply(TraceSource source) {
        return () -> {
            TraceReader upstream = source.open();
            return new TraceReader() {
                @Override
                public TraceRecord read() throws IOException {
                    TraceRecord r = upstream.read();
                    return r == null ? null
                            : r.withArrivalNanos(Math.round(outputSeconds(r.arrivalNanos() / 1e9) * 1e9));
                }

                @Override
                public void close() throws IOException {
                    upstream.close();
                }
            };
        };
    }
}
