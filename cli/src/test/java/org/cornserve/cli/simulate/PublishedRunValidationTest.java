package org.cornserve.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cornserve.cli.profile.BenchReplay;
import org.cornserve.cli.profile.BenchRun;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
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
 * card's 1,555 GB/s and 40 GB). The run is replayed as its client sent it ({@link BenchReplay}: {@code 8 x C}
 * requests, each sent when one of C slots is free), on a plan with vLLM's defaults for a GPU under 70 GiB
 * ({@code max_num_batched_tokens} 2048, {@code max_num_seqs} 256, chunked prefill, {@code gpu_memory_utilization}
 * 0.9, prefix caching on; the prompts are taken as unique, the page does not say which dataset).
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
        Path plan = tmp.resolve("plan.json");
        // the A100 PCIe validation plan (vLLM's A100 defaults), for this model and card at vLLM's default memory share
        Files.writeString(plan, Files.readString(Path.of("../experiments/vllm-validation/qwen2.5-7b-1xa100-pcie.json"))
                .replace("qwen2.5-vl-7b", "llama-3.1-8b").replace("a100-80gb-pcie", "a100-40gb")
                .replace("\"gpu_memory_utilization\": 0.75", "\"gpu_memory_utilization\": 0.9"));
        String planText = Files.readString(plan);
        assertTrue(planText.contains("\"llama-3.1-8b/llm\"") && planText.contains("\"gpu_memory_utilization\": 0.9")
                && !planText.contains("pcie\""), planText);
        HardwareCatalog catalog = HardwareCatalog.builtInWith(List.of(hw));
        DeploymentPlan resolved = new PlanValidator(ModelCatalog.builtIn(), catalog).readAndValidate(plan).plan();
        BenchRun run = new BenchRun("Musgrave A100 40GB C=" + concurrency, BenchRun.fixed(8 * concurrency, 1024, 128),
                concurrency, Double.POSITIVE_INFINITY, 1, Map.of("request_throughput", publishedTokensPerSecond / 128));
        double tokensPerSecond = 128 * new BenchReplay(resolved, 1).replay(run, catalog)
                .statistics(List.of("request_throughput")).get("request_throughput");
        System.out.printf(Locale.ROOT, "Musgrave A100 40GB C=%d: published %.0f, simulated %.1f output tokens/s (%+.1f%%)%n",
                concurrency, publishedTokensPerSecond, tokensPerSecond, 100 * (tokensPerSecond / publishedTokensPerSecond - 1));
        assertEquals(publishedTokensPerSecond, tokensPerSecond, tolerance * publishedTokensPerSecond,
                "simulated " + tokensPerSecond + " output tokens/s");
    }
}
