package org.cornserve.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        Files.writeString(plan, """
                {"name": "llama-3.1-8b-1xa100-40gb-vllm", "strategy": "monolithic", "seed": 1, "models": ["llama-3.1-8b"],
                 "cluster": {"node_groups": [{"hardware": "a100-40gb", "nodes": 1, "devices_per_node": 1}],
                   "intra_node": {"bytes_per_second": 6.4e10, "latency_us": 5},
                   "inter_node": {"bytes_per_second": 1.25e10, "latency_us": 10}},
                 "deployments": [{"name": "llm", "tasks": ["llama-3.1-8b/llm"], "hardware": "a100-40gb",
                   "devices_per_replica": 1, "tensor_parallel": 1, "replicas": 1, "router": "least-outstanding",
                   "batching": {"max_num_batched_tokens": 2048, "max_num_seqs": 256, "chunked_prefill": true,
                     "gpu_memory_utilization": 0.9, "block_size": 16, "preemption": "recompute",
                     "enable_prefix_caching": true}}]}
                """);
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
