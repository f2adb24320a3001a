package org.cornserve.model.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.json.JsonFileException;
import org.cornserve.model.task.UnitTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog files as data: every number has a source, and everything reads back as it was written. */
class CatalogDataTest {
    @TempDir
    Path dir;

    private static JsonNode tree(String resource) throws Exception {
        try (InputStream in = CatalogDataTest.class.getResourceAsStream(resource)) {
            return Json.mapper().readTree(in);
        }
    }

    /**
     * Walks the tree; every non-zero number must be covered by a "sources" entry of the nearest enclosing
     * object that has one, keyed by the number's field path relative to that object or by a prefix of it.
     */
    private static void collectUnsourced(JsonNode node, JsonNode sources, String rel, String where, List<String> out) {
        if (node.isObject()) {
            JsonNode own = node.get("sources");
            JsonNode useSources = own != null ? own : sources;
            String base = own != null ? "" : rel;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("sources")) {
                    continue;
                }
                String path = base.isEmpty() ? e.getKey() : base + "." + e.getKey();
                String label = node.has("name") ? node.get("name").asText() : node.has("id") ? node.get("id").asText() : "";
                collectUnsourced(e.getValue(), useSources, path, where + (label.isEmpty() ? "" : "/" + label), out);
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                collectUnsourced(child, sources, rel, where, out);
            }
        } else if (node.isNumber() && node.asDouble() != 0) {
            if (sources == null || !covered(sources, rel)) {
                out.add(where + ": " + rel + " = " + node.asText());
            }
        }
    }

    private static boolean covered(JsonNode sources, String path) {
        String p = path;
        while (true) {
            JsonNode s = sources.get(p);
            if (s != null && s.isTextual() && !s.asText().isBlank()) {
                return true;
            }
            int dot = p.lastIndexOf('.');
            if (dot < 0) {
                return false;
            }
            p = p.substring(0, dot);
        }
    }

    @Test
    void everyNumberInTheModelCatalogHasASource() throws Exception {
        List<String> missing = new ArrayList<>();
        for (JsonNode model : tree(ModelCatalog.RESOURCE).get("models")) {
            for (JsonNode c : model.get("components")) {
                collectUnsourced(c, null, "", model.get("name").asText(), missing);
            }
        }
        assertTrue(missing.isEmpty(), "numbers without a source: " + missing);
    }

    @Test
    void everyNumberInTheHardwareCatalogHasASource() throws Exception {
        List<String> missing = new ArrayList<>();
        for (JsonNode hw : tree(HardwareCatalog.RESOURCE).get("hardware")) {
            collectUnsourced(hw, null, "", "", missing);
        }
        assertTrue(missing.isEmpty(), "numbers without a source: " + missing);
    }

    @Test
    void theCoverageCheckCatchesAnUnsourcedNumber() throws Exception {
        JsonNode node = Json.mapper().readTree("{\"id\":\"x\",\"patch_size\":14,\"arch\":{\"layers\":2},\"sources\":{\"arch\":\"s\"}}");
        List<String> missing = new ArrayList<>();
        collectUnsourced(node, null, "", "", missing);
        assertEquals(List.of("/x: patch_size = 14"), missing);
    }

    @Test
    void modelCatalogRoundTripsThroughJson() {
        ModelCatalog.File file = new ModelCatalog.File(ModelCatalog.builtIn().models());
        Path p = dir.resolve("models.json");
        Json.write(p, file);
        ModelCatalog.File back = Json.read(p, ModelCatalog.File.class);
        assertEquals(file, back);
        assertEquals(ModelCatalog.builtIn().names(), ModelCatalog.of(back.models()).names());
    }

    @Test
    void userCatalogFilesExtendTheBuiltInOnes() {
        ModelSpec llama = ModelCatalog.builtIn().model("llama-3.1-8b");
        ModelSpec mine = Json.parse(Json.write(llama).replace("\"llama-3.1-8b\"", "\"my-llama\""), "mine", ModelSpec.class);
        Path file = dir.resolve("mine.json");
        Json.write(file, new ModelCatalog.File(List.of(mine)));
        ModelCatalog both = ModelCatalog.builtIn().plus(ModelCatalog.read(file));
        assertEquals(llama.params(), both.model("my-llama").params());
        assertEquals("my-llama/llm", both.unitTask("my-llama/llm").id());
        var e = assertThrows(IllegalArgumentException.class, () -> both.plus(ModelCatalog.read(file)));
        assertTrue(e.getMessage().contains("'my-llama' appears twice"), e.getMessage());
        Path hw = dir.resolve("hw.json");
        var h100 = HardwareCatalog.builtIn().get("h100");
        var b200 = Json.parse(Json.write(h100).replace("\"h100-sxm\"", "\"b200\"").replace("\"h100\"", "\"b200-sxm\""),
                "b200", org.cornserve.model.hardware.Hardware.class);
        Json.write(hw, new HardwareCatalog.File(List.of(b200)));
        assertEquals("b200", HardwareCatalog.builtIn().plus(HardwareCatalog.read(hw)).get("b200-sxm").name());
    }

    @Test
    void unitTasksRoundTripThroughJson() {
        for (ModelSpec m : ModelCatalog.builtIn().models()) {
            for (UnitTask t : m.unitTasks(true)) {
                UnitTask back = Json.parse(Json.write(t), "task", UnitTask.class);
                assertEquals(t, back);
                assertEquals(t.id(), back.id());
            }
        }
    }

    @Test
    void aBrokenCatalogFileNamesFileFieldAndLine() throws Exception {
        String good = Json.write(new ModelCatalog.File(List.of(ModelCatalog.builtIn().model("llama-3.1-8b"))));
        Path unknown = dir.resolve("unknown.json");
        Files.writeString(unknown, good.replace("\"layers\" : 32", "\"layers\" : 32, \"n_layers\" : 32"));
        JsonFileException e = assertThrows(JsonFileException.class, () -> Json.read(unknown, ModelCatalog.File.class));
        assertTrue(e.getMessage().startsWith(unknown + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("models[0].components[0].arch.n_layers"), e.getMessage());

        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, good.replace("\"hidden_size\" : 4096,", ""));
        JsonFileException m = assertThrows(JsonFileException.class, () -> Json.read(missing, ModelCatalog.File.class));
        assertTrue(m.getMessage().contains("missing required field 'hidden_size'"), m.getMessage());
        assertTrue(m.getMessage().contains("models[0].components[0].arch"), m.getMessage());

        Path badKind = dir.resolve("kind.json");
        Files.writeString(badKind, good.replace("\"kind\" : \"llm\"", "\"kind\" : \"lmm\""));
        JsonFileException k = assertThrows(JsonFileException.class, () -> Json.read(badKind, ModelCatalog.File.class));
        assertTrue(k.getMessage().contains("lmm"), k.getMessage());
        assertTrue(k.getMessage().contains("models[0].components[0]"), k.getMessage());

        Path invalid = dir.resolve("invalid.json");
        Files.writeString(invalid, good.replace("\"kv_heads\" : 8", "\"kv_heads\" : 5"));
        JsonFileException v = assertThrows(JsonFileException.class, () -> Json.read(invalid, ModelCatalog.File.class));
        assertTrue(v.getMessage().contains("must be a multiple of kv_heads (5)"), v.getMessage());
    }

    @Test
    void sharedIdsMustMeanTheSameComponent() {
        ModelSpec g4 = ModelCatalog.builtIn().model("gemma-3-4b");
        String json = Json.write(g4).replace("\"name\" : \"gemma-3-4b\"", "\"name\" : \"gemma-x\"")
                .replace("\"layers\" : 27", "\"layers\" : 26");
        ModelSpec other = Json.parse(json, "gemma-x", ModelSpec.class);
        var e = assertThrows(IllegalArgumentException.class, () -> ModelCatalog.of(List.of(g4, other)));
        assertTrue(e.getMessage().contains("gemma-3-siglip"), e.getMessage());
    }
}
