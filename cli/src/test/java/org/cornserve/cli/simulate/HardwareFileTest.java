package org.cornserve.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --hardware-file} on the commands: a new kind, a replaced kind, and a bad file's error. */
class HardwareFileTest {
    @TempDir
    Path tmp;

    /** A GPU not in the catalog: the H100's numbers under another name, with its efficiency block left out. */
    private Path myGpu() throws Exception {
        Hardware h100 = HardwareCatalog.builtIn().get("h100");
        String json = Json.write(new HardwareCatalog.File(List.of(h100)))
                .replace("\"h100-sxm\"", "\"my-gpu\"").replace("\"h100\"", "\"my-gpu-alias\"")
                .replaceAll("(?s)\\s*\"efficiency\" : \\{[^}]*\\},", "");
        Path file = tmp.resolve("my-gpu.json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void simulateAndEstimateOnAGpuFromAFile() throws Exception {
        Path file = myGpu();
        Path out = tmp.resolve("run");
        var r = SimulateCommandTest.run("simulate", "--model", "llama-3.1-8b", "--hardware", "my-gpu", "--gpus", "1",
                "--strategy", "monolithic", "--trace",
                SimulateCommandTest.shared("AzureLLMInferenceTrace_conv.csv").toString(), "--limit", "200",
                "--hardware-file", file.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(200, summary.get("requests").asLong());
        var estimate = SimulateCommandTest.run("profile", "estimate", "--model", "llama-3.1-8b", "--hardware",
                "my-gpu-alias", "--tp", "1", "--hardware-file", file.toString(), "--out", tmp.resolve("p.json").toString());
        assertEquals(0, estimate.exitCode(), estimate.err());
        assertTrue(Files.readString(tmp.resolve("p.json")).contains("\"my-gpu\""));
        var unknown = SimulateCommandTest.run("simulate", "--model", "llama-3.1-8b", "--hardware", "my-gpu", "--gpus", "1",
                "--strategy", "monolithic", "--trace",
                SimulateCommandTest.shared("AzureLLMInferenceTrace_conv.csv").toString(), "--limit", "10",
                "--out", tmp.resolve("x").toString());
        assertNotEquals(0, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown hardware 'my-gpu'"), unknown.err());
    }

    @Test
    void aFileReplacesTheBuiltInKindOfTheSameName() throws Exception {
        Hardware h100 = HardwareCatalog.builtIn().get("h100");
        Hardware slow = h100.withEfficiency(h100.efficiency().withFitted(0.2, 0.2, 5, "slow"), h100.sources());
        Path file = tmp.resolve("slow.json");
        Json.write(file, new HardwareCatalog.File(List.of(slow)));
        HardwareCatalog c = HardwareCatalog.builtInWith(List.of(file));
        assertEquals(0.2, c.get("h100").efficiency().compute());
        assertEquals(HardwareCatalog.builtIn().all().size(), c.all().size());
    }

    @Test
    void aBadFileNamesFileLineColumnAndField() throws Exception {
        Path file = tmp.resolve("bad.json");
        Files.writeString(file, Files.readString(myGpu()).replace("\"memory_bytes\" : 80000000000",
                "\"memory_bytes\" : \"lots\""));
        var r = SimulateCommandTest.run("simulate", "--model", "llama-3.1-8b", "--hardware", "my-gpu", "--gpus", "1",
                "--strategy", "monolithic", "--trace",
                SimulateCommandTest.shared("AzureLLMInferenceTrace_conv.csv").toString(), "--limit", "10",
                "--hardware-file", file.toString(), "--out", tmp.resolve("x").toString());
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().matches("(?s).*bad\\.json:\\d+:\\d+: at hardware\\[0\\]\\.memory_bytes.*"), r.err());
    }
}
