package org.cornserve.runtime.engine.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Weights read from the {@code *.safetensors} files of a directory (a Hugging Face checkpoint, possibly
 * sharded). Every tensor name must live in exactly one file.
 */
public final class SafetensorsWeights implements WeightSource {
    private final Path dir;
    private final Map<String, SafetensorsFile> byName = new HashMap<>();

    /** Opens every {@code .safetensors} file in {@code dir} (or the single file {@code dir}). */
    public SafetensorsWeights(Path dir) {
        this.dir = dir;
        List<Path> files;
        if (Files.isRegularFile(dir)) {
            files = List.of(dir);
        } else {
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            } catch (IOException e) {
                throw new WeightException("cannot list weights directory " + dir + ": " + e.getMessage(), e);
            }
        }
        if (files.isEmpty()) {
            throw new WeightException("no .safetensors files in " + dir);
        }
        for (Path f : files) {
            SafetensorsFile file = SafetensorsFile.open(f);
            for (String name : file.entries().keySet()) {
                SafetensorsFile prev = byName.put(name, file);
                if (prev != null) {
                    throw new WeightException("tensor '" + name + "' appears in both " + prev.path() + " and " + f);
                }
            }
        }
    }

    @Override
    public float[] get(String name, Init init, int... shape) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new WeightException("tensor '" + name + "' (expected shape " + java.util.Arrays.toString(shape)
                    + ") not found in " + dir);
        }
        return f.read(name, shape);
    }

    @Override
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    @Override
    public String describe() {
        return "safetensors in " + dir + " (" + byName.size() + " tensors)";
    }
}
