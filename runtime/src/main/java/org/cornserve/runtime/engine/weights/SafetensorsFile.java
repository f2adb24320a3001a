package org.cornserve.runtime.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cornserve.runtime.engine.tensor.HalfFloats;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header mapping tensor
 * names to dtype, shape and byte range, then the raw data. Tensors are read through memory maps of
 * their byte range (FileChannel.map), converted to float32 from F32, BF16 or F16.
 */
public final class SafetensorsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER_BYTES = 100L << 20;

    /** One tensor's entry in the header. */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
        /** Number of elements. */
        public long elements() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path path;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path path, long dataStart, Map<String, Entry> entries) {
        this.path = path;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    /** Reads and validates the header of {@code path}. */
    public static SafetensorsFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightException(path + ": not a safetensors file (" + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new WeightException(path + ": bad safetensors header length " + headerLen);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            ch.read(header, 8);
            JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    continue;
                }
                entries.put(f.getKey(), parseEntry(path, f.getKey(), f.getValue(), dataLen));
            }
            return new SafetensorsFile(path, dataStart, entries);
        } catch (IOException e) {
            throw new WeightException(path + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    private static Entry parseEntry(Path path, String name, JsonNode node, long dataLen) {
        String dtype = node.path("dtype").asText("");
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new WeightException(path + ": tensor '" + name + "' has no shape or data_offsets in the header");
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asInt();
        }
        Entry e = new Entry(name, dtype, shape, offsets.get(0).asLong(), offsets.get(1).asLong());
        int width = dtypeBytes(dtype);
        if (width > 0 && (e.end() - e.begin() != e.elements() * width || e.begin() < 0 || e.end() > dataLen)) {
            throw new WeightException(path + ": tensor '" + name + "' byte range [" + e.begin() + ", " + e.end()
                    + ") does not match " + dtype + Arrays.toString(shape) + " within " + dataLen + " data bytes");
        }
        return e;
    }

    /** Bytes per element of a dtype this reader converts, or 0 if unsupported. */
    static int dtypeBytes(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "BF16", "F16" -> 2;
            default -> 0;
        };
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** Tensor entries by name, in header order. */
    public Map<String, Entry> entries() {
        return java.util.Collections.unmodifiableMap(entries);
    }

    /** True when the file holds {@code name}. */
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /**
     * Reads tensor {@code name} as float32, checking its shape.
     *
     * @throws WeightException naming tensor, expected and found shape and this file
     */
    public float[] read(String name, int... expectedShape) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new WeightException("tensor '" + name + "' not found in " + path);
        }
        if (!Arrays.equals(e.shape(), expectedShape)) {
            throw new WeightException("tensor '" + name + "' in " + path + " has shape " + Arrays.toString(e.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        }
        int width = dtypeBytes(e.dtype());
        if (width == 0) {
            throw new WeightException("tensor '" + name + "' in " + path + " has dtype " + e.dtype()
                    + "; supported: F32, BF16, F16");
        }
        int n = Math.toIntExact(e.elements());
        float[] out = new float[n];
        if (n == 0) {
            return out;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin());
            buf.order(ByteOrder.LITTLE_ENDIAN);
            switch (e.dtype()) {
                case "F32" -> buf.asFloatBuffer().get(out);
                case "BF16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = HalfFloats.bf16ToFloat(buf.getShort(2 * i));
                    }
                }
                case "F16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = HalfFloats.f16ToFloat(buf.getShort(2 * i));
                    }
                }
                default -> throw new IllegalStateException(e.dtype());
            }
        } catch (IOException ex) {
            throw new WeightException(path + ": cannot read tensor '" + name + "': " + ex.getMessage(), ex);
        }
        return out;
    }
}
