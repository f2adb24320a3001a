package org.cornserve.model.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.cluster.LinkSpec;
import org.cornserve.model.json.JsonFileException;
import org.cornserve.model.task.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data_parallel} and {@code expert_parallel} on a deployment: reading, validation, weights per replica. */
class PlanParallelismTest {
    private static final ClusterSpec TWO_H100 = ClusterSpec.of("h100-sxm", 1, 8, new LinkSpec(4.5e11, 5),
            new LinkSpec(5e10, 10));
    private final PlanValidator validator = PlanValidator.builtIn();

    @TempDir
    Path dir;

    private static DeploymentPlan plan(List<String> models, Deployment... deployments) {
        return new DeploymentPlan("test", "manual", 1, models, TWO_H100, List.of(deployments), null);
    }

    private static Deployment dp(String task, int devices, Integer tp, int dataParallel, boolean ep) {
        return new Deployment("llm", List.of(task), "h100-sxm", devices, tp, 1, null, null, dataParallel, ep);
    }

    @Test
    void dataParallelReplicatesAllButTheExperts() {
        ResolvedDeployment rd = validator.validate(plan(List.of("qwen3-30b-a3b"),
                dp("qwen3-30b-a3b/llm", 2, null, 2, true))).deployments().get(0);
        assertEquals(1, rd.deployment().tensorParallel(), "tensor_parallel defaults to devices / data_parallel");
        LanguageModel llm = ModelCatalog.builtIn().model("qwen3-30b-a3b").llm().orElseThrow();
        TransformerArch a = llm.arch();
        // 48 layers x 128 experts x 3 matrices x 2048 x 768, bf16
        long experts = 48L * 128 * 3 * 2048 * 768 * 2;
        assertEquals(experts, ResolvedDeployment.expertWeightBytes(llm));
        long whole = llm.weightBytes();
        assertEquals(whole + (whole - experts), rd.weightBytes(), "two copies of attention/embeddings, one of experts");
        // per GPU: the non-expert weights plus half the experts
        assertEquals((whole - experts) + experts / 2, rd.weightBytes() / 2);
        assertTrue(a.isMoe());
    }

    @Test
    void fieldsRoundTripAndDefaultsStayOutOfTheJson() throws Exception {
        Path file = dir.resolve("p.json");
        plan(List.of("qwen3-30b-a3b"), dp("qwen3-30b-a3b/llm", 2, 1, 2, true)).write(file);
        String json = Files.readString(file);
        assertTrue(json.contains("\"data_parallel\" : 2") && json.contains("\"expert_parallel\" : true"), json);
        assertEquals(2, DeploymentPlan.read(file).deployments().get(0).dataParallel());
        plan(List.of("llama-3.1-8b"), Deployment.of("llm", List.of("llama-3.1-8b/llm"), "h100-sxm", 1, 1, 1)).write(file);
        String plain = Files.readString(file);
        assertFalse(plain.contains("data_parallel") || plain.contains("expert_parallel"), plain);
    }

    @Test
    void badValuesNameTheField() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, """
                {"name": "x", "strategy": "manual", "seed": 1, "models": ["qwen3-30b-a3b"],
                 "cluster": {"node_groups": [{"hardware": "h100-sxm", "nodes": 1, "devices_per_node": 2}],
                             "intra_node": {"bytes_per_second": 4.5e11, "latency_us": 5},
                             "inter_node": {"bytes_per_second": 5e10, "latency_us": 10}},
                 "deployments": [{"name": "llm", "tasks": ["qwen3-30b-a3b/llm"], "hardware": "h100-sxm",
                                  "devices_per_replica": 2, "data_parallel": 0}]}
                """);
        JsonFileException e = assertThrows(JsonFileException.class, () -> DeploymentPlan.read(file));
        assertTrue(e.getMessage().contains("data_parallel must be >= 1"), e.getMessage());
    }

    @Test
    void validationNamesTheFieldAndTheNumbers() {
        List<String> shape = validator.problems(plan(List.of("qwen3-30b-a3b"), dp("qwen3-30b-a3b/llm", 2, 2, 2, true)));
        assertTrue(shape.stream().anyMatch(p -> p.contains("tensor_parallel 2 x data_parallel 2 must divide"
                + " devices_per_replica 2")), shape.toString());
        List<String> dense = validator.problems(plan(List.of("llama-3.1-8b"), dp("llama-3.1-8b/llm", 2, 1, 2, false)));
        assertTrue(dense.stream().anyMatch(p -> p.contains("data_parallel 2 needs a mixture-of-experts LLM")
                && p.contains("llama-3.1-8b/llm is dense")), dense.toString());
        List<String> ep = validator.problems(plan(List.of("llama-3.1-8b"), dp("llama-3.1-8b/llm", 1, 1, 1, true)));
        assertTrue(ep.stream().anyMatch(p -> p.contains("expert_parallel needs a mixture-of-experts LLM")), ep.toString());
        List<String> encoder = validator.problems(plan(List.of("qwen3-omni-30b-a3b"),
                new Deployment("enc", List.of("qwen3-omni-30b-a3b/vision-encoder"), "h100-sxm", 2, 1, 1, null, null, 2,
                        false),
                Deployment.of("llm", List.of("qwen3-omni-30b-a3b/llm"), "h100-sxm", 2, 2, 1)));
        assertTrue(encoder.stream().anyMatch(p -> p.contains("deployment 'enc': data_parallel 2 applies to a deployment"
                + " of mixture-of-experts LLMs only")), encoder.toString());
    }
}
