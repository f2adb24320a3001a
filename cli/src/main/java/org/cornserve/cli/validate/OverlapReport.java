package org.cornserve.cli.validate;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much slower a served step ran beside another executor of its host, by what that executor computed meanwhile
 * ({@code TailReport overlap RUN_DIR...}; experiments/validation-tails.md, section 21). Each step's window is the time
 * it would have taken at its run's speed alone: from its compute's start, its charge ({@code simulated_ms}) times the
 * summed compute over the summed charge of the run's steps of its kind that ran alone ({@code others_computing} under
 * {@value #ALONE_BELOW}). What happens in that window does not depend on how slowly the step itself ran; counted over
 * the step's own interval, a step slowed for any reason would catch more of the others' activity (selection).
 *
 * <p>The others' activity is their steps from decision to report ({@code decided_ms} to {@code decided_ms +
 * measured_busy_ms}: the control plane's work for them included). A step is {@link Beside#ALONE} where it covers under
 * {@value #ALONE_COVER} of the window, {@link Beside#PREFILL} where it covers over {@value #FULL_COVER} and one other
 * step with a prefill covers half of it or more, {@link Beside#DECODE} where it covers over {@value #FULL_COVER} and
 * no other step with a prefill meets the window, {@link Beside#MIXED} for the rest of the covered and {@link
 * Beside#PARTLY} in between.
 */
final class OverlapReport {
    private OverlapReport() {
    }

    /** Steps with others computing under this share of them are read for the run's speed alone. */
    static final double ALONE_BELOW = 0.01;
    /** Under this share of the window covered by the others' steps: alone. */
    static final double ALONE_COVER = 0.02;
    /** Over this share covered: beside the others for all of it. */
    static final double FULL_COVER = 0.9;

    /** What the other executors did over a step's window. */
    enum Beside { ALONE, PREFILL, DECODE, MIXED, PARTLY }

    /** Kinds of step, each with its own speed alone. */
    enum Kind { PREFILL, DECODE_ONE, DECODE_MORE }

    /**
     * A served step: which executor, its kind, its compute, busy and charge (ms), when it was decided (ms), the share
     * of it the other executors computed, and its size (prompt tokens of a step with a prefill, else the decodes'
     * context tokens).
     */
    record Step(String executor, Kind kind, double computeMs, double busyMs, double chargeMs, double decidedMs,
            double othersComputing, long size) {
        double endMs() {
            return decidedMs + busyMs;
        }

        double startMs() {
            return endMs() - computeMs;
        }
    }

    /** Summed compute and summed charge at the run's speed alone, and how many steps, of one kind beside one thing. */
    record Cell(double computeMs, double chargeMs, int steps) {
        double ratio() {
            return computeMs / chargeMs;
        }

        Cell plus(double compute, double charge) {
            return new Cell(computeMs + compute, chargeMs + charge, steps + 1);
        }
    }

    /** The rows of a validate or demo run's {@code steps.csv}; a missing column or bad number names file and line. */
    static List<Step> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(csv + ": empty, no header");
        }
        List<String> header = List.of(lines.get(0).split(",", -1));
        String[] names = {"deployment", "replica", "prefill_tokens", "decode_sequences", "measured_compute_ms",
            "measured_busy_ms", "simulated_ms", "decided_ms", "others_computing", "decode_context_tokens"};
        int[] col = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            col[i] = header.indexOf(names[i]);
            if (col[i] < 0) {
                throw new IllegalArgumentException(csv + ":1: no column " + names[i]);
            }
        }
        List<Step> steps = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String[] f = lines.get(n).split(",", -1);
            try {
                long prefill = Long.parseLong(f[col[2]]);
                int sequences = Integer.parseInt(f[col[3]]);
                Kind kind = prefill > 0 ? Kind.PREFILL : sequences == 1 ? Kind.DECODE_ONE : Kind.DECODE_MORE;
                steps.add(new Step(f[col[0]] + "/" + f[col[1]], kind, Double.parseDouble(f[col[4]]),
                        Double.parseDouble(f[col[5]]), Double.parseDouble(f[col[6]]), Double.parseDouble(f[col[7]]),
                        Double.parseDouble(f[col[8]]), prefill > 0 ? prefill : Long.parseLong(f[col[9]])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(csv + ":" + (n + 1) + ": " + e.getMessage(), e);
            }
        }
        return steps;
    }

    /**
     * Adds one run's steps to {@code cells} (by kind, then by what the others did): each step's compute against its
     * charge at the run's speed alone of its kind; kinds with no step alone, and uncharged steps, are left out.
     */
    static void add(List<Step> steps, Map<Kind, Map<Beside, Cell>> cells) {
        Map<Kind, double[]> alone = new LinkedHashMap<>();
        for (Step s : steps) {
            if (s.chargeMs() > 0 && s.othersComputing() < ALONE_BELOW) {
                double[] a = alone.computeIfAbsent(s.kind(), k -> new double[2]);
                a[0] += s.computeMs();
                a[1] += s.chargeMs();
            }
        }
        Timeline timeline = new Timeline(steps);
        for (Step s : steps) {
            double[] a = alone.get(s.kind());
            if (!(s.chargeMs() > 0) || a == null || !(a[1] > 0)) {
                continue;
            }
            double charge = s.chargeMs() * a[0] / a[1];
            Beside b = beside(s, charge, timeline);
            cells.computeIfAbsent(s.kind(), k -> new LinkedHashMap<>()).merge(b, new Cell(s.computeMs(), charge, 1),
                    (x, y) -> x.plus(y.computeMs(), y.chargeMs()));
        }
    }

    /** Prompt tokens per size bin of steps with a prefill, context tokens per bin of decode-only steps. */
    static final int PREFILL_BIN_TOKENS = 25;
    static final int DECODE_BIN_TOKENS = 50;
    /** Steps needed on each side of a size bin for it to count. */
    static final int LEAST_PER_BIN = 5;

    /**
     * Overlapped steps against steps alone at equal size, over runs: for each run, kind and size bin ({@value
     * #PREFILL_BIN_TOKENS} prompt tokens, {@value #DECODE_BIN_TOKENS} context tokens) with at least {@value
     * #LEAST_PER_BIN} steps of each, the ratio of the overlapped steps' (others computing over {@value #FULL_COVER} of
     * them) compute over charge to the lone ones' (under {@value #ALONE_BELOW}), summed and at the median; their
     * geometric mean weighted by the overlapped steps counted. Why: a run's overlapped steps are its longer prompts and
     * contexts (more requests in flight), so against the lone steps' speed of their kind they carry the profile's error
     * in size as well (experiments/validation-tails.md, section 31).
     */
    record Matched(double summed, double median, int overlapped) {
    }

    /** {@link Matched} over {@code runs} (each a list of its steps), by kind. */
    static Map<Kind, Matched> matched(List<List<Step>> runs) {
        Map<Kind, double[]> acc = new LinkedHashMap<>(); // log summed x n, log median x n, n
        for (List<Step> steps : runs) {
            Map<Kind, Map<Long, List<List<Step>>>> bins = new LinkedHashMap<>();
            for (Step s : steps) {
                if (!(s.chargeMs() > 0)) {
                    continue;
                }
                int side = s.othersComputing() < ALONE_BELOW ? 0 : s.othersComputing() > FULL_COVER ? 1 : -1;
                if (side < 0) {
                    continue;
                }
                long bin = s.size() / (s.kind() == Kind.PREFILL ? PREFILL_BIN_TOKENS : DECODE_BIN_TOKENS);
                bins.computeIfAbsent(s.kind(), k -> new java.util.TreeMap<>()).computeIfAbsent(bin,
                        b -> List.of(new ArrayList<>(), new ArrayList<>())).get(side).add(s);
            }
            bins.forEach((kind, byBin) -> byBin.values().forEach(pair -> {
                List<Step> alone = pair.get(0);
                List<Step> over = pair.get(1);
                if (alone.size() < LEAST_PER_BIN || over.size() < LEAST_PER_BIN) {
                    return;
                }
                double[] a = acc.computeIfAbsent(kind, k -> new double[3]);
                a[0] += over.size() * Math.log(summedRatio(over) / summedRatio(alone));
                a[1] += over.size() * Math.log(medianRatio(over) / medianRatio(alone));
                a[2] += over.size();
            }));
        }
        Map<Kind, Matched> out = new LinkedHashMap<>();
        acc.forEach((k, a) -> out.put(k, new Matched(Math.exp(a[0] / a[2]), Math.exp(a[1] / a[2]), (int) a[2])));
        return out;
    }

    private static double summedRatio(List<Step> steps) {
        return steps.stream().mapToDouble(Step::computeMs).sum() / steps.stream().mapToDouble(Step::chargeMs).sum();
    }

    private static double medianRatio(List<Step> steps) {
        return Validation.median(steps.stream().mapToDouble(s -> s.computeMs() / s.chargeMs()).toArray());
    }

    /** What the other executors did over {@code s}'s window of {@code windowMs} from its compute's start. */
    static Beside beside(Step s, double windowMs, List<Step> steps) {
        return beside(s, windowMs, new Timeline(steps));
    }

    /** As {@link #beside(Step, double, List)}, over a run's steps indexed once. */
    static Beside beside(Step s, double windowMs, Timeline timeline) {
        double from = s.startMs();
        double to = from + windowMs;
        double covered = 0;
        double prefillMost = 0;
        boolean prefillMeets = false;
        for (Step o : timeline.othersMeeting(s.executor(), from, to)) {
            double overlap = Math.min(to, o.endMs()) - Math.max(from, o.decidedMs());
            if (overlap <= 0) {
                continue;
            }
            covered += overlap;
            if (o.kind() == Kind.PREFILL) {
                prefillMeets = true;
                prefillMost = Math.max(prefillMost, overlap);
            }
        }
        double share = covered / windowMs;
        if (share < ALONE_COVER) {
            return Beside.ALONE;
        }
        if (share <= FULL_COVER) {
            return Beside.PARTLY;
        }
        if (prefillMost >= windowMs / 2) {
            return Beside.PREFILL;
        }
        return prefillMeets ? Beside.MIXED : Beside.DECODE;
    }

    /**
     * A run's steps by executor, each executor's in order of their ends, for the steps of the others that meet a window
     * without a scan of the whole run: a binary search for the first that ends after the window opens, then on until
     * no later one was decided before it closes (the least decision time from each position on, so that steps sent
     * ahead of the one computing, decided before it ended, are not missed).
     */
    static final class Timeline {
        /** One executor's steps in order of their ends, those ends, and the least decision time from each on. */
        private record Lane(Step[] byEnd, double[] ends, double[] leastDecidedFrom) {
        }

        private final Map<String, Lane> lanes = new LinkedHashMap<>();

        Timeline(List<Step> steps) {
            Map<String, List<Step>> by = new LinkedHashMap<>();
            for (Step s : steps) {
                by.computeIfAbsent(s.executor(), k -> new ArrayList<>()).add(s);
            }
            by.forEach((executor, list) -> {
                Step[] sorted = list.stream().sorted(java.util.Comparator.comparingDouble(Step::endMs))
                        .toArray(Step[]::new);
                double[] end = new double[sorted.length];
                double[] least = new double[sorted.length];
                for (int i = sorted.length - 1; i >= 0; i--) {
                    end[i] = sorted[i].endMs();
                    least[i] = Math.min(sorted[i].decidedMs(), i + 1 < sorted.length ? least[i + 1]
                            : Double.POSITIVE_INFINITY);
                }
                lanes.put(executor, new Lane(sorted, end, least));
            });
        }

        /**
         * The steps of executors other than {@code executor} that end after {@code from} and were decided before
         * {@code to}.
         */
        List<Step> othersMeeting(String executor, double from, double to) {
            List<Step> out = new ArrayList<>();
            lanes.forEach((other, lane) -> {
                if (other.equals(executor)) {
                    return;
                }
                int lo = 0;
                int hi = lane.ends().length;
                while (lo < hi) { // first index whose end is after from
                    int mid = (lo + hi) >>> 1;
                    if (lane.ends()[mid] > from) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                for (int i = lo; i < lane.byEnd().length && lane.leastDecidedFrom()[i] < to; i++) {
                    if (lane.byEnd()[i].decidedMs() < to) {
                        out.add(lane.byEnd()[i]);
                    }
                }
            });
            return out;
        }
    }

    /**
     * Prints the table of section 21 over the runs' {@code measured/steps.csv} (each run's plan folder), then {@link
     * #matched} (section 31).
     */
    static void report(List<Path> runs, PrintStream out) throws IOException {
        Map<Kind, Map<Beside, Cell>> cells = new LinkedHashMap<>();
        List<List<Step>> all = new ArrayList<>();
        for (Path run : runs) {
            List<Step> steps = read(run.resolve("measured").resolve("steps.csv"));
            all.add(steps);
            add(steps, cells);
        }
        out.printf(Locale.ROOT, "%-22s", "compute / alone speed");
        for (Beside b : Beside.values()) {
            out.printf(Locale.ROOT, " %18s", (b == Beside.ALONE ? "" : "beside ") + b.name().toLowerCase(Locale.ROOT));
        }
        out.println();
        Map<Beside, double[]> pooled = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            Map<Beside, Cell> row = cells.getOrDefault(k, Map.of());
            out.printf(Locale.ROOT, "%-22s", k.name().toLowerCase(Locale.ROOT));
            for (Beside b : Beside.values()) {
                Cell c = row.get(b);
                out.print(c == null ? String.format(Locale.ROOT, " %18s", "-")
                        : String.format(Locale.ROOT, " %9.3f (%6d)", c.ratio(), c.steps()));
                if (c != null) {
                    double[] p = pooled.computeIfAbsent(b, x -> new double[2]);
                    p[0] += c.computeMs();
                    p[1] += c.chargeMs();
                }
            }
            out.println();
        }
        out.printf(Locale.ROOT, "%-22s", "all kinds");
        for (Beside b : Beside.values()) {
            double[] p = pooled.get(b);
            out.print(p == null ? String.format(Locale.ROOT, " %18s", "-")
                    : String.format(Locale.ROOT, " %9.3f %8s", p[0] / p[1], ""));
        }
        out.println();
        out.println();
        out.printf(Locale.ROOT, "overlapped (others computing over %.0f%% of the step) over alone at equal size (%d prompt"
                + " tokens, %d context tokens a bin):%n", 100 * FULL_COVER, PREFILL_BIN_TOKENS, DECODE_BIN_TOKENS);
        Map<Kind, Matched> matched = matched(all);
        double[] byKind = new double[3];
        for (Kind k : Kind.values()) {
            Matched m = matched.get(k);
            out.printf(Locale.ROOT, "%-22s %s%n", k.name().toLowerCase(Locale.ROOT), m == null ? "-"
                    : String.format(Locale.ROOT, "summed %.3f, median %.3f (%d overlapped steps)", m.summed(),
                            m.median(), m.overlapped()));
            if (m != null) {
                byKind[0] += m.overlapped() * Math.log(m.summed());
                byKind[1] += m.overlapped() * Math.log(m.median());
                byKind[2] += m.overlapped();
            }
        }
        if (byKind[2] > 0) {
            out.printf(Locale.ROOT, "%-22s summed %.3f, median %.3f%n", "all kinds", Math.exp(byKind[0] / byKind[2]),
                    Math.exp(byKind[1] / byKind[2]));
        }
    }
}
