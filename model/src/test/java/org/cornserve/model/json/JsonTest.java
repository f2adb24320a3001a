package org.cornserve.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.arch.TransformerArch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @TempDir
    Path dir;

    /** A small record with a nested list, to see paths like items[1].count. */
    record Box(@JsonProperty(value = "name", required = true) String name,
               @JsonProperty(value = "items", required = true) List<Item> items) {
    }

    record Item(@JsonProperty(value = "count", required = true) int count) {
        Item {
            if (count < 0) {
                throw new IllegalArgumentException("count must be >= 0, got " + count);
            }
        }
    }

    private Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void unknownFieldNamesTheFieldTheFileAndTheLine() throws Exception {
        Path p = file("box.json", "{\n  \"name\": \"b\",\n  \"items\": [{\"count\": 1}, {\"count\": 2, \"colour\": \"red\"}]\n}\n");
        JsonFileException e = assertThrows(JsonFileException.class, () -> Json.read(p, Box.class));
        assertTrue(e.getMessage().startsWith(p + ":3:"), e.getMessage());
        assertTrue(e.getMessage().contains("items[1].colour"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown field 'colour'"), e.getMessage());
        assertTrue(e.getMessage().contains("count"), "lists the known fields: " + e.getMessage());
        assertEquals("items[1].colour", e.fieldPath());
    }

    @Test
    void missingRequiredFieldIsNamed() throws Exception {
        Path p = file("box.json", "{\"name\": \"b\", \"items\": [{}]}");
        JsonFileException e = assertThrows(JsonFileException.class, () -> Json.read(p, Box.class));
        assertTrue(e.getMessage().startsWith(p + ":1:"), e.getMessage());
        assertTrue(e.getMessage().contains("missing required field 'count'"), e.getMessage());
        assertTrue(e.getMessage().contains("items[0]"), e.getMessage());
    }

    @Test
    void validationMessageFromTheRecordComesThroughWithItsPath() throws Exception {
        Path p = file("box.json", "{\"name\": \"b\", \"items\": [{\"count\": 3}, {\"count\": -1}]}");
        JsonFileException e = assertThrows(JsonFileException.class, () -> Json.read(p, Box.class));
        assertTrue(e.getMessage().contains("count must be >= 0, got -1"), e.getMessage());
        assertTrue(e.getMessage().contains("items[1]"), e.getMessage());
        assertTrue(e.getMessage().contains("box.json"), e.getMessage());
    }

    @Test
    void syntaxErrorHasLineAndColumn() throws Exception {
        Path p = file("bad.json", "{\n\"name\": \"b\",\n\"items\": [,]\n}");
        JsonFileException e = assertThrows(JsonFileException.class, () -> Json.read(p, Box.class));
        assertTrue(e.getMessage().startsWith(p + ":3:"), e.getMessage());
    }

    @Test
    void wrongTypesAreErrors() {
        var e = assertThrows(JsonFileException.class,
                () -> Json.parse("{\"name\": \"b\", \"items\": [{\"count\": 1.5}]}", "inline", Box.class));
        assertTrue(e.getMessage().startsWith("inline:1:"), e.getMessage());
        assertTrue(e.getMessage().contains("items[0].count"), e.getMessage());
        assertThrows(JsonFileException.class, () -> Json.parse("{\"name\": \"a\", \"name\": \"b\", \"items\": []}", "dup", Box.class));
        assertThrows(JsonFileException.class, () -> Json.parse("{\"name\": \"a\", \"items\": []} {}", "trailing", Box.class));
    }

    @Test
    void stringsAreNotSilentlyTurnedIntoNumbersOrBooleans() {
        var e = assertThrows(JsonFileException.class,
                () -> Json.parse("{\"name\": \"b\", \"items\": [{\"count\": \"3\"}]}", "inline", Box.class));
        assertTrue(e.getMessage().contains("items[0].count: Cannot coerce String value (\"3\") to `int` value"), e.getMessage());
        assertTrue(!e.getMessage().contains("CoercionConfig"), "no Jackson configuration hints: " + e.getMessage());
        assertThrows(JsonFileException.class, () -> Json.parse(
                "{\"hidden_size\":8,\"layers\":1,\"attention_heads\":1,\"kv_heads\":1,\"head_dim\":8,"
                        + "\"intermediate_size\":8,\"gated_mlp\":\"yes\"}", "arch", TransformerArch.class));
    }

    @Test
    void unknownPolymorphicKindListsTheKnownKinds() {
        var e = assertThrows(JsonFileException.class, () -> Json.parse("{\"kind\": \"lmm\", \"id\": \"x\"}", "c.json",
                org.cornserve.model.task.Component.class));
        assertTrue(e.getMessage().contains("unknown kind 'lmm'; known: audio-encoder"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path p = dir.resolve("nope.json");
        JsonFileException e = assertThrows(JsonFileException.class, () -> Json.read(p, Box.class));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @Test
    void derivedMethodsAreNotWritten() {
        // isMoe() and friends must not leak into JSON (they would not read back)
        TransformerArch arch = TransformerArch.denseLlm(64, 2, 4, 2, 16, 128, 100);
        String json = Json.write(arch);
        assertTrue(!json.contains("moe\""), json);
        assertEquals(arch, Json.parse(json, "arch", TransformerArch.class));
    }

    /** Other modules write their own records through this mapper, often without annotations. */
    record Plain(int count, String label, List<Double> values) {
    }

    @Test
    void recordsWithoutAnnotationsRoundTrip() {
        Plain p = new Plain(3, "x", List.of(1.5, 2.5));
        String json = Json.write(p);
        assertTrue(json.contains("\"label\" : \"x\""), json);
        assertEquals(p, Json.parse(json, "plain", Plain.class));
        assertEquals(3, Json.mapper().valueToTree(p).get("count").asInt());
    }

    @Test
    void fileRoundTrip() {
        Box box = new Box("b", List.of(new Item(1), new Item(2)));
        Path p = dir.resolve("sub/box.json");
        Json.write(p, box);
        assertEquals(box, Json.read(p, Box.class));
    }
}
