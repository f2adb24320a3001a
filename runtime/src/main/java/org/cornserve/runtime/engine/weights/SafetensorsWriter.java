package org.cornserve.runtime.engine.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.runtime.engine.tensor.HalfFloats;

/** Writes float tensors to a {@code .safetensors} file as F32, BF16 or F16 (used to export and in tests). */
public final class SafetensorsWriter {
    private record Pending(String name, String dtype, int[] shape, float[] values) {
    }

    private final List<Pending> tensors = new ArrayList<>();

    /** Adds a tensor; {@code dtype} is F32, BF16 or F16. */
    public SafetensorsWriter add(String name, String dtype, int[] shape, float[] values) {
        if (SafetensorsFile.dtypeBytes(dtype) == 0) {
            throw new IllegalArgumentException("unsupported dtype " + dtype);
        }
        tensors.add(new Pending(name, dtype, shape.clone(), values));
        return this;
    }

    /** Writes the file. */
    public void write(Path path) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Pending t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype());
            ArrayNode shape = e.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            long len = (long) t.values().length * SafetensorsFile.dtypeBytes(t.dtype());
            e.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
            out.write(headerBytes);
            for (Pending t : tensors) {
                int width = SafetensorsFile.dtypeBytes(t.dtype());
                ByteBuffer buf = ByteBuffer.allocate(t.values().length * width).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : t.values()) {
                    switch (t.dtype()) {
                        case "F32" -> buf.putFloat(v);
                        case "BF16" -> buf.putShort(HalfFloats.floatToBf16(v));
                        default -> buf.putShort(HalfFloats.floatToF16(v));
                    }
                }
                out.write(buf.array());
            }
        }
    }
}
