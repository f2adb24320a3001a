package org.cornserve.cli.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.cornserve.model.json.Json;

/**
 * The served side of a kept validation ({@code validate --resimulate RUN}): what {@link Validation#serveAndReplay}
 * measured, read back from RUN's {@code validation.json} and folders and copied into a new output folder, so that
 * the simulations judge the same served replays again with this build's model. Nothing in RUN is changed.
 *
 * <p>What is not kept cannot be judged again: which requests lived through outside load (only how many, in the
 * host-load summary), so the table on the requests outside load is not redone.
 *
 * @param runs per replay, the probes' figures and (the first) its served steps' summary
 * @param profiles the profiles the kept run simulated with
 * @param calibration the kept calibration replay's trace, or null where there is none or it is left out
 */
record KeptRun(List<Served> runs, Path profiles, Path calibration) {

    /**
     * Copies RUN's served side into {@code out} and reads its replays back.
     *
     * @param calibrationReplay keep RUN's calibration replay (else its span is left out of {@code sensed.json}, and
     *     the first replay is calibrated on the warm-up)
     * @param sensors keep RUN's sensor readings (else no sensed-speed table)
     * @throws IllegalArgumentException naming the file where RUN is not a validation's output folder, or a figure is
     *     missing
     */
    static KeptRun copy(Path run, Path out, boolean calibrationReplay, boolean sensors) throws IOException {
        Path file = run.resolve("validation.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": not found; --resimulate takes an earlier validate's --out");
        }
        if (Files.isSameFile(run, out)) {
            throw new IllegalArgumentException("--resimulate " + run + ": give another --out (the kept run is read,"
                    + " never written)");
        }
        JsonNode root = Json.mapper().readTree(file.toFile());
        int replays = root.has("replays") ? root.path("replays").size() : 1;
        copyFile(slice(run).getParent(), out, "trace.jsonl", true);
        copyFile(run, out, "plan.json", true);
        copyFile(run, out, "warmup.jsonl", false);
        Path profiles = profiles(run, out, root, file);
        Path costs = null;
        if (root.has("served_step_costs")) {
            // the costs as charged, whether embedded or a file given then
            costs = out.resolve("served-costs.json");
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(costs.toFile(), root.get("served_step_costs"));
        }
        // the replays' folders must be there; the warm-up's and the probes' are read where they are
        List<Path> required = new ArrayList<>();
        List<Path> optional = new ArrayList<>(List.of(Validation.warmupDir(run.resolve("measured"))));
        for (int k = 1; k <= replays; k++) {
            Path dir = Validation.replayDir(run.resolve("measured"), k);
            required.add(dir);
            optional.add(Validation.probeDir(dir));
        }
        Path calibration = null;
        Path spansFile = run.resolve("sensed.json");
        if (sensors && Files.isRegularFile(spansFile)) {
            copyFile(run, out, "sensed.csv", true);
            MachineSpeed.Spans spans = Json.read(spansFile, MachineSpeed.Spans.class);
            if (spans.calibration() != null && calibrationReplay) {
                copyFile(run, out, "calibration.jsonl", false);
                required.add(Validation.calibrationDir(run.resolve("measured")));
                calibration = out.resolve("calibration.jsonl");
            } else {
                spans = new MachineSpeed.Spans(spans.periodMs(), spans.cpus(), spans.warmup(), null, spans.replays());
            }
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("sensed.json").toFile(), spans);
        }
        for (Path dir : required) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + ": not found; " + file + " lists " + replays + " replay(s)");
            }
            copyTree(dir, out.resolve(dir.getFileName().toString()));
        }
        for (Path dir : optional) {
            if (Files.isDirectory(dir)) {
                copyTree(dir, out.resolve(dir.getFileName().toString()));
            }
        }
        List<Served> runs = new ArrayList<>();
        for (int k = 1; k <= replays; k++) {
            JsonNode node = replays == 1 ? root : root.path("replays").get(k - 1);
            String where = replays == 1 ? file.toString() : file + ": replays[" + (k - 1) + "]";
            @SuppressWarnings("unchecked")
            Map<String, Object> steps = k == 1 && root.has("served_steps")
                    ? Json.mapper().convertValue(root.get("served_steps"), Map.class) : Map.of();
            @SuppressWarnings("unchecked")
            Map<String, Object> host = node.has("host_load")
                    ? Json.mapper().convertValue(node.get("host_load"), Map.class) : Map.of("available", false);
            String curve = node.path("prefill_compute_scale_at").asText("");
            runs.add(new Served(number(node, "request_overhead_ms", where),
                    number(node, "step_overhead_ms", where), steps, null, costs,
                    node.path("request_overhead_ms_per_token").asDouble(0), new HostLoad(host, Set.of()),
                    number(node, "prefill_compute_scale", where), Probes.keptDecodeSpeed(out, k, number(node,
                            "decode_compute_scale", where)),
                    node.has("extra_ms_per_sequence") ? node.get("extra_ms_per_sequence").asDouble() : Double.NaN,
                    curve.isEmpty() ? null : org.cornserve.model.profile.PrefillScaleCurve.parse(curve)));
        }
        return new KeptRun(List.copyOf(runs), profiles, calibration);
    }

    /**
     * The judged slice of a kept run: its {@code trace.jsonl}, or for a demo's {@code planned/} folder the one beside
     * it, where the demo keeps it.
     */
    static Path slice(Path run) {
        Path own = run.resolve("trace.jsonl");
        Path parent = run.toAbsolutePath().getParent();
        return !Files.isRegularFile(own) && parent != null && Files.isRegularFile(parent.resolve("trace.jsonl"))
                ? parent.resolve("trace.jsonl") : own;
    }

    /** A number the kept run must hold. */
    private static double number(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(where + ": no number '" + field + "'");
        }
        return v.asDouble();
    }

    /**
     * The profiles the kept run simulated with ({@code validation.json}'s {@code profiles}): RUN's own file of that
     * name (measured by it) copied, else the file named, which must still be there.
     */
    private static Path profiles(Path run, Path out, JsonNode root, Path file) throws IOException {
        String named = root.path("profiles").asText("");
        if (named.isEmpty() || named.startsWith("estimated")) {
            throw new IllegalArgumentException(file + ": 'profiles' names no file (" + named + ")");
        }
        Path p = Path.of(named);
        Path own = run.resolve(p.getFileName());
        if (Files.isRegularFile(own)) {
            Path copy = out.resolve(p.getFileName());
            Files.copy(own, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(file + ": its profiles " + named + " are gone");
        }
        return p;
    }

    private static void copyFile(Path run, Path out, String name, boolean required) throws IOException {
        Path from = run.resolve(name);
        if (!Files.isRegularFile(from)) {
            if (required) {
                throw new IllegalArgumentException(from + ": not found; the kept run is incomplete");
            }
            return;
        }
        Files.copy(from, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
