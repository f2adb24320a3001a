package org.cornserve.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator, with estimated (uncalibrated) profiles, against a published vLLM run: J. Musgrave, "vLLM
 * throughput-latency sweep on NVIDIA A100" (https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on):
 * Llama-3.1-8B-Instruct bf16 on one A100 40GB, vLLM 0.23.0 defaults, {@code vllm bench serve} with 1024 input and
 * 128 output tokens ({@code --ignore-eos}), {@code --max-concurrency C --request-rate inf}. Published: at C=1
 * about 75 output tokens/s (13.3 ms per token); at C=8 a 6.6x throughput gain (about 495 tokens/s).
 *
 * <p>The A100 40GB is not in the catalog: a hardware file gives it (the 80GB entry's efficiencies with the 40GB
 * card's 1,555 GB/s and 40 GB). The closed loop at concurrency C is replayed as waves of C identical requests
 * arriving together, 10 s apart (each wave ends before the next; identical requests finish together, so the
 * client's next C requests start together, as in a wave).
 */
class PublishedRunValidationTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "concurrency {0}")
    @CsvSource({
        // concurrency, published output tokens/s, tolerance (C=8 is read off a "6.6x" in the text)
        "1, 75, 0.05",
        "8, 495, 0.15"})
    void a100Concurrency(int concurrency, double publishedTokensPerSecond, double tolerance) throws Exception {
        Hardware a100 = HardwareCatalog.builtIn().get("a100-80gb");
        String json = Json.write(new HardwareCatalog.File(List.of(a100))).replace("\"a100-80gb\"", "\"a100-40gb\"")
                .replace("\"a100\"", "\"a100-40gb-sxm\"").replace("80000000000", "40000000000")
                .replace("2.039E12", "1.555E12");
        Path hw = tmp.resolve("a100-40gb.json");
        Files.writeString(hw, json);
        assertEquals(1.555e12, HardwareCatalog.builtInWith(List.of(hw)).get("a100-40gb").memoryBytesPerSecond());
        StringBuilder trace = new StringBuilder();
        for (int wave = 0; wave < 20; wave++) {
            for (int i = 0; i < concurrency; i++) {
                trace.append(String.format(Locale.ROOT,
                        "{\"arrival_s\":%d,\"app\":\"llama-3.1-8b\",\"id\":\"w%d-%d\",\"text_tokens\":1024,\"output_tokens\":128}%n",
                        wave * 10, wave, i));
            }
        }
        Path tracePath = tmp.resolve("c.jsonl");
        Files.writeString(tracePath, trace);
        Path out = tmp.resolve("out");
        var r = SimulateCommandTest.run("simulate", "--model", "llama-3.1-8b", "--hardware", "a100-40gb", "--gpus", "1",
                "--strategy", "monolithic", "--hardware-file", hw.toString(), "--trace", tracePath.toString(),
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        double e2eSeconds = summary.get("e2e_ms").get("mean").asDouble() / 1e3;
        double tokensPerSecond = concurrency * 128 / e2eSeconds;
        assertEquals(publishedTokensPerSecond, tokensPerSecond, tolerance * publishedTokensPerSecond,
                "simulated " + tokensPerSecond + " output tokens/s; " + summary);
    }
}
