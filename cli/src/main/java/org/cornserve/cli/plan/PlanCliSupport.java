package org.cornserve.cli.plan;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;

/** Shared helpers of the planning commands: reading traces, SLOs and clusters. */
public final class PlanCliSupport {
    private PlanCliSupport() {}

    /**
     * The trace format of a path when none is named: a folder is a ServeGen folder, {@code .jsonl} the
     * canonical format, a CSV an Azure trace (multimodal when its header has {@code NumImages}).
     */
    public static TraceFormat detectFormat(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return TraceFormat.SERVEGEN;
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return TraceFormat.JSONL;
        }
        if (name.endsWith(".csv")) {
            try (BufferedReader r = Files.newBufferedReader(path)) {
                String header = r.readLine();
                return header != null && header.contains("NumImages") ? TraceFormat.AZURE_MM : TraceFormat.AZURE_LLM;
            }
        }
        throw new IllegalArgumentException("cannot tell the format of trace " + path
                + "; name it with --trace-format (" + TraceFormat.names() + ")");
    }

    /** Reads a whole trace into memory. */
    public static List<TraceRecord> readTrace(Path path, String format, long seed) throws IOException {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("trace " + path + " does not exist");
        }
        TraceFormat f = format == null || format.isBlank() ? detectFormat(path) : TraceFormat.byName(format);
        List<TraceRecord> out = new ArrayList<>();
        try (TraceReader r = f.open(path, ReadOptions.defaults().withSeed(seed))) {
            for (TraceRecord rec; (rec = r.read()) != null; ) {
                out.add(rec);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("trace " + path + " has no requests");
        }
        return out;
    }

    /** Nodes and devices per node for a device count: one node up to 8, else whole nodes of 8. */
    public static int[] nodes(int gpus) {
        if (gpus < 1) {
            throw new IllegalArgumentException("--gpus must be >= 1, got " + gpus);
        }
        if (gpus <= 8) {
            return new int[] {1, gpus};
        }
        if (gpus % 8 != 0) {
            throw new IllegalArgumentException("--gpus above 8 must be whole nodes of 8, got " + gpus);
        }
        return new int[] {gpus / 8, 8};
    }

    /** The planning problem of models on a cluster of built-in hardware for a trace. */
    public static PlanningProblem problem(List<String> models, String hardwareName, int gpus, List<TraceRecord> trace,
            Slo slo, long seed, int samples, double rateRps) {
        return problem(HardwareCatalog.builtIn(), models, hardwareName, gpus, trace, slo, seed, samples, rateRps);
    }

    /** The planning problem of models on a cluster of {@code hardware}'s kinds for a trace. */
    public static PlanningProblem problem(HardwareCatalog hardware, List<String> models, String hardwareName, int gpus,
            List<TraceRecord> trace, Slo slo, long seed, int samples, double rateRps) {
        return problem(hardware, models, hardwareName, gpus, trace, slo, seed, samples, rateRps,
                org.cornserve.model.profile.ProfileBook.EMPTY);
    }

    /** As above, the estimate costing tasks from {@code profiles} where given. */
    public static PlanningProblem problem(HardwareCatalog hardware, List<String> models, String hardwareName, int gpus,
            List<TraceRecord> trace, Slo slo, long seed, int samples, double rateRps,
            org.cornserve.model.profile.ProfileBook profiles) {
        Hardware hw = hardware.get(hardwareName);
        int[] shape = nodes(gpus);
        return CatalogProblems.build(ModelCatalog.builtIn(), models, hw, shape[0], shape[1], trace, slo, seed, samples,
                rateRps, profiles);
    }
}
