package org.cornserve.cli.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.hardware.CpuInfo;
import org.cornserve.model.json.Json;

/**
 * {@code validation.json}: the rows, what the probes measured, the served steps, the host's load, and the machine
 * served on; and the check that a profile was measured on this machine.
 */
public final class ValidationFile {
    private ValidationFile() {
    }

    /** validation.json's field for the machine the replays were served on. */
    static final String MACHINE_FIELD = "machine";

    /** This machine's CPU ({@link CpuInfo#record}); a JSON null where {@code /proc/cpuinfo} cannot be read. */
    static JsonNode thisMachine() {
        return CpuInfo.detect().<JsonNode>map(c -> Json.mapper().valueToTree(c.record()))
                .orElse(com.fasterxml.jackson.databind.node.NullNode.getInstance());
    }

    /**
     * The machine a kept run was served on, as its {@code validation.json} recorded it; a text saying so where it
     * recorded none (a run of a build before it was recorded) or cannot be read.
     */
    static JsonNode keptMachine(Path keptValidationJson) {
        try {
            JsonNode m = Json.mapper().readTree(keptValidationJson.toFile()).path(MACHINE_FIELD);
            if (m.isObject()) {
                return m;
            }
        } catch (IOException | RuntimeException e) {
            // recorded as unknown below
        }
        return com.fasterxml.jackson.databind.node.TextNode.valueOf("not recorded in " + keptValidationJson);
    }

    /**
     * A warning where the profiles in {@code profileFile} were measured on a machine other than this one (another
     * CPU generation or vector width runs the same kernels at another speed, so the simulation would charge the
     * other machine's costs); empty where they match, or either is unknown.
     */
    static java.util.Optional<String> profileMachineWarning(Path profileFile) {
        java.util.Optional<String> here = CpuInfo.detect().map(CpuInfo::identity);
        java.util.Optional<String> there;
        try {
            there = Json.mapper().readValue(profileFile.toFile(), org.cornserve.model.profile.ProfileSet.class)
                    .machineIdentity();
        } catch (IOException | RuntimeException e) {
            there = java.util.Optional.empty();
        }
        if (here.isEmpty() || there.isEmpty() || here.get().equals(there.get())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("warning: " + profileFile + " was measured on " + there.get()
                + "; this machine is " + here.get() + ": its costs need not hold here (leave --profiles out to"
                + " measure them on this machine)");
    }

    /** Writes {@code validation.json}. */
    static void write(Path file, List<Comparison.Row> rows, Served served, Path profiles) throws IOException {
        write(file, rows, List.of(), served, profiles);
    }

    /**
     * Writes {@code validation.json}, with {@code quietRows} ({@link HostLoad#quietRows}: the comparison on the
     * requests that lived through no outside load) under {@code rows_without_outside_load} when there are any.
     */
    static void write(Path file, List<Comparison.Row> rows, List<Comparison.Row> quietRows, Served served,
            Path profiles) throws IOException {
        write(file, rows, quietRows, served, profiles, java.util.Map.of());
    }

    /**
     * As above, with more top-level fields ({@code extra}: name to value, written as JSON). The file records the
     * machine served on under {@value #MACHINE_FIELD}: this one ({@link #thisMachine}) unless {@code extra} names
     * another (a kept run judged again, {@link #keptMachine}).
     */
    static void write(Path file, List<Comparison.Row> rows, List<Comparison.Row> quietRows, Served served,
            Path profiles, java.util.Map<String, ?> extra) throws IOException {
        var root = Json.mapper().createObjectNode();
        if (!extra.containsKey(MACHINE_FIELD)) {
            root.set(MACHINE_FIELD, thisMachine());
        }
        root.setAll((com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().valueToTree(
                served.probedFigures()));
        if (served.session() != null) {
            root.put("runtime_session", served.session());
        }
        root.set("served_steps", Json.mapper().valueToTree(served.steps()));
        if (served.costs() != null) {
            root.set("served_step_costs", Json.mapper().valueToTree(served.costs()));
        }
        root.set("host_load", Json.mapper().valueToTree(served.hostLoad().summary()));
        root.put("profiles", profiles == null ? "estimated (roofline)" : profiles.toString());
        root.set("rows", Json.mapper().valueToTree(rows));
        if (!quietRows.isEmpty()) {
            root.set("rows_without_outside_load", Json.mapper().valueToTree(quietRows));
        }
        extra.forEach((name, value) -> root.set(name, Json.mapper().valueToTree(value)));
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
