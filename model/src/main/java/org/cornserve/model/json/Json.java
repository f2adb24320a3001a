package org.cornserve.model.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The project's one JSON configuration: unknown fields, missing required fields ({@code required = true}
 * on a creator property), nulls for primitives, floats for ints, duplicate keys and trailing tokens are all
 * errors. Reading methods rethrow every failure as a {@link JsonFileException} whose message carries
 * {@code source:line:column} and the JSON field path. (Optional primitive fields that are absent read as 0
 * or false, so {@code FAIL_ON_NULL_FOR_PRIMITIVES} stays off; required ones say {@code required = true}.)
 *
 * <p>Records declare their JSON names with {@code @JsonProperty} on their components (a record without
 * annotations works too, under its component names). Jackson's usual detection applies otherwise, so a
 * derived {@code isX()} / {@code getX()} method on a record must say {@code @JsonIgnore}.
 */
public final class Json {
    private static final ObjectMapper MAPPER = newMapper();

    private Json() {
    }

    /** A fresh mapper with the project's settings (for callers that must register modules of their own). */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                // "32" for a number or "yes" for a boolean is an error, not a silent conversion
                .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }

    /** The shared mapper (thread-safe; do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads a file into {@code type}; any failure names the file, line, column and field path. */
    public static <T> T read(Path file, Class<T> type) {
        return read(file, MAPPER.constructType(type));
    }

    /** Reads a file into a generic type such as {@code List<Foo>}. */
    public static <T> T read(Path file, TypeReference<T> type) {
        return read(file, MAPPER.constructType(type));
    }

    private static <T> T read(Path file, JavaType type) {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new JsonFileException(source, 0, 0, "", "cannot read: " + e, e);
        }
        return parse(bytes, source, type);
    }

    /** Reads a class-path resource (absolute name, e.g. {@code /org/cornserve/model/catalog/models.json}). */
    public static <T> T readResource(String resource, Class<T> type) {
        try (InputStream in = Json.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new JsonFileException(resource, 0, 0, "", "resource not found on the class path", null);
            }
            return parse(in.readAllBytes(), resource, MAPPER.constructType(type));
        } catch (IOException e) {
            throw new JsonFileException(resource, 0, 0, "", "cannot read: " + e, e);
        }
    }

    /** Parses JSON text; {@code source} labels it in error messages (a file name, "request body", ...). */
    public static <T> T parse(String json, String source, Class<T> type) {
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), source, MAPPER.constructType(type));
    }

    /** Parses JSON text into a generic type. */
    public static <T> T parse(String json, String source, TypeReference<T> type) {
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), source, MAPPER.constructType(type));
    }

    private static <T> T parse(byte[] bytes, String source, JavaType type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (JsonProcessingException e) {
            throw translate(e, source);
        } catch (IOException e) {
            throw new JsonFileException(source, 0, 0, "", "cannot read: " + e, e);
        } catch (IllegalArgumentException e) {
            throw new JsonFileException(source, 0, 0, "", e.getMessage(), e);
        }
    }

    /** Pretty-printed JSON of a value. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Writes a value as pretty-printed JSON to a file (parent folders are created). */
    public static void write(Path file, Object value) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, write(value) + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Turns a Jackson failure into a message with the location, the field path and the root problem. */
    static JsonFileException translate(JsonProcessingException e, String source) {
        JsonLocation loc = e.getLocation();
        int line = loc == null ? 0 : loc.getLineNr();
        int column = loc == null ? 0 : loc.getColumnNr();
        String path = "";
        if (e instanceof JsonMappingException jme) {
            path = fieldPath(jme.getPath());
        }
        return new JsonFileException(source, line, column, path, problem(e), e);
    }

    private static String problem(JsonProcessingException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && (root instanceof IllegalArgumentException || root instanceof IllegalStateException)) {
            return root.getMessage();
        }
        String msg = e.getOriginalMessage();
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidTypeIdException ite) {
            msg = "unknown kind '" + ite.getTypeId() + "'" + knownIds(msg);
        } else if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException upe) {
            msg = "unknown field '" + upe.getPropertyName() + "'; known fields: " + upe.getKnownPropertyIds();
        } else if (msg != null && msg.startsWith("Missing required creator property")) {
            int a = msg.indexOf('\'');
            int b = a < 0 ? -1 : msg.indexOf('\'', a + 1);
            msg = b > a ? "missing required field '" + msg.substring(a + 1, b) + "'" : msg;
        }
        if (msg == null) {
            return e.getClass().getSimpleName();
        }
        // drop Jackson's hints about its own configuration, which a user editing a file cannot act on
        return firstLine(msg).replaceAll(" \\((but might if coercion|set DeserializationConfig|through reference chain)[^)]*\\)", "");
    }

    /** The "known type ids = [...]" part of Jackson's message, as "; known: a, b". */
    private static String knownIds(String msg) {
        int at = msg == null ? -1 : msg.indexOf("known type ids = [");
        if (at < 0) {
            return "";
        }
        int end = msg.indexOf(']', at);
        return "; known: " + msg.substring(at + "known type ids = [".length(), end);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String fieldPath(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
