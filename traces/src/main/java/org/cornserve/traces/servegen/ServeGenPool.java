package org.cornserve.traces.servegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cornserve.traces.TraceFormatException;

/**
 * The clients of one ServeGen workload folder (such as ServeGen's {@code data/multimodal/mm-image/}):
 * for every i, {@code chunk-i-trace.csv} (no header; {@code window_start_s,rate,cv,pattern,shape,scale})
 * and {@code chunk-i-dataset.json} ({@code {"<window start>": {"<field>": "{value: probability, ...}"}}}).
 * A dataset window with an empty distribution is left out, as ServeGen's own loader does. Language
 * workloads name the prompt {@code input_tokens} (taken as text tokens); fields a request shape does not
 * carry (the reasoning workloads' {@code reason_ratio}) are ignored.
 *
 * @param folder where the files are
 * @param clients the clients, by ascending id
 */
public record ServeGenPool(Path folder, List<ServeGenClient> clients) {

    private static final Pattern TRACE_FILE = Pattern.compile("chunk-(\\d+)-trace\\.csv");

    public ServeGenPool {
        clients = List.copyOf(clients);
    }

    /** Loads every client of the folder; a bad file stops with its name and line. */
    public static ServeGenPool load(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("not a ServeGen folder (a directory of chunk-i-trace.csv and chunk-i-dataset.json): " + folder);
        }
        TreeMap<Integer, Path> traceFiles = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = TRACE_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    traceFiles.put(Integer.parseInt(m.group(1)), f);
                }
            }
        }
        if (traceFiles.isEmpty()) {
            throw new IOException("no chunk-i-trace.csv files in " + folder);
        }
        ObjectMapper json = new ObjectMapper();
        List<ServeGenClient> clients = new ArrayList<>();
        for (Map.Entry<Integer, Path> e : traceFiles.entrySet()) {
            Path datasetFile = folder.resolve("chunk-" + e.getKey() + "-dataset.json");
            if (!Files.isRegularFile(datasetFile)) {
                throw new IOException("missing " + datasetFile + " (next to " + e.getValue().getFileName() + ")");
            }
            clients.add(new ServeGenClient(e.getKey(), readWindows(e.getValue()), new TreeMap<>(readDatasets(json, datasetFile))));
        }
        return new ServeGenPool(folder, clients);
    }

    static List<ServeGenClient.ArrivalWindow> readWindows(Path file) throws IOException {
        List<ServeGenClient.ArrivalWindow> windows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            long lineNumber = 0;
            long previousStart = Long.MIN_VALUE;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != 6) {
                    throw new TraceFormatException(file.toString(), lineNumber,
                            "expected 6 columns window_start_s,rate,cv,pattern,shape,scale, got " + f.length);
                }
                try {
                    long start = Long.parseLong(f[0].trim());
                    if (start <= previousStart) {
                        throw new IllegalArgumentException("window_start_s must increase, got " + start
                                + " after " + previousStart);
                    }
                    previousStart = start;
                    windows.add(new ServeGenClient.ArrivalWindow(start, Double.parseDouble(f[1]),
                            Double.parseDouble(f[2]), f[3].trim(), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
                } catch (IllegalArgumentException ex) {
                    throw new TraceFormatException(file.toString(), lineNumber, ex.getMessage());
                }
            }
        }
        if (windows.isEmpty()) {
            throw new IOException(file + ": no windows");
        }
        return windows;
    }

    static Map<Long, ServeGenClient.Dataset> readDatasets(ObjectMapper json, Path file) throws IOException {
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": bad JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": expected an object keyed by window start");
        }
        Map<Long, ServeGenClient.Dataset> datasets = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> window = it.next();
            long start;
            try {
                start = Long.parseLong(window.getKey());
            } catch (NumberFormatException ex) {
                throw new IOException(file + ": window key must be seconds of the day, got '" + window.getKey() + "'");
            }
            Map<String, DiscreteDistribution> fields = new HashMap<>();
            boolean skip = false;
            for (Iterator<Map.Entry<String, JsonNode>> fi = window.getValue().fields(); fi.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fi.next();
                if (!ServeGenClient.Dataset.USED.contains(field.getKey())) {
                    continue; // e.g. the reasoning data's reason_ratio, which a request shape does not carry
                }
                String text = field.getValue().asText();
                if (text.replace(" ", "").equals("{}")) {
                    skip = true;
                    break;
                }
                try {
                    fields.put(field.getKey(), DiscreteDistribution.parsePythonDict(text));
                } catch (IllegalArgumentException ex) {
                    throw new IOException(file + ": window " + start + ", " + field.getKey() + ": " + ex.getMessage());
                }
            }
            if (!skip) {
                try {
                    datasets.put(start, new ServeGenClient.Dataset(fields));
                } catch (IllegalArgumentException ex) {
                    throw new IOException(file + ": window " + start + ": " + ex.getMessage());
                }
            }
        }
        return datasets;
    }
}
