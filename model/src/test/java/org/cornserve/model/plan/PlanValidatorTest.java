package org.cornserve.model.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.cluster.LinkSpec;
import org.cornserve.model.cluster.NodeGroup;
import org.cornserve.model.json.Json;
import org.cornserve.model.json.JsonFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanValidatorTest {
    private static final LinkSpec NVLINK = new LinkSpec(9e11, 5);
    private static final LinkSpec NET = new LinkSpec(5e10, 10);

    @TempDir
    Path dir;

    private final PlanValidator validator = PlanValidator.builtIn();

    private static ClusterSpec h100s(int nodes, int perNode) {
        return ClusterSpec.of("h100-sxm", nodes, perNode, NVLINK, NET);
    }

    private static DeploymentPlan plan(List<String> models, ClusterSpec cluster, Deployment... deployments) {
        return new DeploymentPlan("test", "manual", 1, models, cluster, List.of(deployments), null);
    }

    private static Path resource(String name) throws Exception {
        return Path.of(PlanValidatorTest.class.getResource("/plans/" + name).toURI());
    }

    private List<String> problems(DeploymentPlan p) {
        return validator.problems(p);
    }

    private static void hasProblem(List<String> problems, String... fragments) {
        for (String p : problems) {
            boolean all = true;
            for (String f : fragments) {
                all &= p.contains(f);
            }
            if (all) {
                return;
            }
        }
        throw new AssertionError("no problem contains " + List.of(fragments) + " in " + problems);
    }

    @Test
    void theAgreedExamplePlanReadsValidatesAndRoundTrips() throws Exception {
        ResolvedPlan r = validator.readAndValidate(resource("encoder-split.json"));
        DeploymentPlan p = r.plan();
        assertEquals("encoder-split", p.strategy());
        assertEquals(8, r.devicesUsed());
        assertEquals("vision", r.deploymentFor("qwen2.5-vl-7b/vision-encoder").orElseThrow().name());
        assertEquals("llm", r.deploymentFor("qwen2.5-vl-7b/llm").orElseThrow().name());
        assertEquals(12.5, p.explanation().get("estimated_goodput_rps").asDouble());
        assertEquals(256, p.deployment("llm").orElseThrow().batching().llm().maxNumSeqs());
        Path out = dir.resolve("plan.json");
        p.write(out);
        assertEquals(p, DeploymentPlan.read(out));
        // weights: Qwen2.5-7B ~7.6B params x 2 bytes
        long llmWeights = r.deployment("llm").weightBytes();
        assertTrue(llmWeights > 15e9 && llmWeights < 15.5e9, "" + llmWeights);
    }

    @Test
    void defaultsFillRouterBatchingParallelism() {
        Deployment d = new Deployment("x", List.of("llama-3.1-8b/llm"), "h100", 2, null, null, null, null);
        assertEquals(2, d.tensorParallel());
        assertEquals(1, d.replicas());
        assertEquals(Deployment.DEFAULT_ROUTER, d.router());
        assertEquals(new Batching.EncoderBatching(32, 16384, 5), d.batching().encoder());
        assertEquals(new Batching.LlmBatching(8192, 256, true, Preemption.RECOMPUTE, 0.9), d.batching().llm());
        String json = "{\"name\":\"x\",\"tasks\":[\"llama-3.1-8b/llm\"],\"hardware\":\"h100\"}";
        Deployment read = Json.parse(json, "d.json", Deployment.class);
        assertEquals(1, read.devicesPerReplica());
        assertEquals(Batching.DEFAULTS, read.batching());
    }

    private static Deployment llama(Batching batching) {
        return new Deployment("llm", List.of("llama-3.1-8b/llm"), "h100", 1, 1, 1, null, batching);
    }

    private static Batching knobs(Integer blockSize, Double utilization, Long blocks, Preemption preemption) {
        return new Batching(null, null, null, 2048, 64, null, preemption, null, blockSize, utilization, blocks, true);
    }

    @Test
    void vllmMemoryKnobsSizeTheCacheInBlocks() {
        // gpu_memory_utilization 0.8, blocks of 32: (0.8 x 80e9 - weights - peak activation) / (131072 x 32) blocks
        ResolvedDeployment d = validator.validate(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                llama(knobs(32, 0.8, null, Preemption.NONE)))).deployment("llm");
        // peak activation by hand: 2048 tokens x (4 x 4096 + 2 x 14336) x 2 bytes + 64 x 128256 x 4 bytes
        long activation = 2048L * (4 * 4096 + 2 * 14336) * 2 + 64L * 128256 * 4;
        assertEquals(activation, KvCacheMemory.peakActivationBytes(d));
        long blocks = ((long) (0.8 * 80e9) - d.weightBytes() - activation) / (131072L * 32);
        assertEquals(blocks * 32, d.kvCacheTokens());
        assertTrue(d.deployment().batching().llm().enablePrefixCaching(), "carried into the resolved plan");
        assertEquals(Preemption.NONE, d.deployment().batching().llm().preemption());
        // num_gpu_blocks overrides the arithmetic, as vLLM's --num-gpu-blocks-override
        ResolvedDeployment fixed = validator.validate(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                llama(knobs(16, 0.8, 1000L, null)))).deployment("llm");
        assertEquals(16_000, fixed.kvCacheTokens());
        // the old knob still reads, without reserving activations
        ResolvedDeployment old = validator.validate(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                llama(new Batching(null, null, null, null, null, null, null, 0.5)))).deployment("llm");
        assertEquals(((long) (0.5 * 80e9) - old.weightBytes()) / (131072L * 16) * 16, old.kvCacheTokens());
    }

    @Test
    void vllmKnobsReadFromJsonWithVllmNames() {
        String json = "{\"name\":\"llm\",\"tasks\":[\"llama-3.1-8b/llm\"],\"hardware\":\"h100\",\"batching\":"
                + "{\"block_size\":16,\"gpu_memory_utilization\":0.9,\"num_gpu_blocks\":4096,"
                + "\"enable_prefix_caching\":true,\"preemption\":\"none\"}}";
        Deployment d = Json.parse(json, "d.json", Deployment.class);
        assertEquals(Preemption.NONE, d.batching().preemption());
        assertEquals(4096L, d.batching().numGpuBlocks());
        assertEquals(Batching.MemoryRule.GPU_MEMORY_UTILIZATION, d.batching().llm().memoryRule());
        assertEquals(d, Json.parse(Json.write(d), "again.json", Deployment.class));
        var badBlock = assertThrows(org.cornserve.model.json.JsonFileException.class,
                () -> Json.parse(json.replace("\"block_size\":16", "\"block_size\":24"), "p.json", Deployment.class));
        assertTrue(badBlock.getMessage().startsWith("p.json:1:") && badBlock.getMessage().contains("block_size"),
                badBlock.getMessage());
        var both = assertThrows(org.cornserve.model.json.JsonFileException.class,
                () -> Json.parse(json.replace("\"block_size\":16", "\"kv_cache_memory_fraction\":0.9"), "p.json",
                        Deployment.class));
        assertTrue(both.getMessage().contains("gpu_memory_utilization"), both.getMessage());
        var badMode = assertThrows(org.cornserve.model.json.JsonFileException.class,
                () -> Json.parse(json.replace("\"none\"", "\"drop\""), "p.json", Deployment.class));
        assertTrue(badMode.getMessage().contains("recompute, swap, none"), badMode.getMessage());
    }

    @Test
    void aCacheWithoutRoomForOneBlockIsAProblem() {
        // Llama-3.1-8B's 16 GB of weights on one 80 GB H100 at utilization 0.21: 16.8 GB - 16.06 GB - activations
        List<String> p = problems(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                llama(new Batching(null, null, null, 8192, 256, null, null, null, null, 0.2075, null, null))));
        hasProblem(p, "deployment 'llm'", "no room for one KV-cache block");
    }

    @Test
    void unknownModelAndTaskListTheKnownOnes() {
        List<String> p = problems(plan(List.of("qwen2.5-vl-7b", "gpt-5"), h100s(1, 8),
                Deployment.of("a", List.of("qwen2.5-vl-7b/vision-encoder", "qwen2.5-vl-7b/talker"), "h100", 1, 1, 1),
                Deployment.of("b", List.of("qwen2.5-vl-7b/llm"), "h100", 1, 1, 1)));
        hasProblem(p, "unknown model 'gpt-5'", "llama-3.1-8b");
        hasProblem(p, "deployment 'a'", "unknown task id 'qwen2.5-vl-7b/talker'", "qwen2.5-vl-7b/vision-encoder");
        List<String> q = problems(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                Deployment.of("a", List.of("llama-3.1-8b/llm", "qwen2.5-vl-7b/llm"), "h100", 1, 1, 1)));
        hasProblem(q, "deployment 'a'", "qwen2.5-vl-7b/llm", "belongs to no model of the plan");
        List<String> dup = problems(plan(List.of("llama-3.1-8b", "llama-3.1-8b"), h100s(1, 8),
                Deployment.of("a", List.of("llama-3.1-8b/llm"), "h100", 1, 1, 1)));
        assertEquals(List.of("model llama-3.1-8b is listed twice in models"), dup);
    }

    @Test
    void everyTaskCoveredExactlyOnce() {
        List<String> missing = problems(plan(List.of("qwen2.5-vl-7b"), h100s(1, 8),
                Deployment.of("enc", List.of("qwen2.5-vl-7b/vision-encoder"), "h100", 1, 1, 1)));
        hasProblem(missing, "qwen2.5-vl-7b/llm is covered by no deployment");
        // a model served by its LLM alone: the vision encoder is left out, and said so
        ResolvedPlan llmOnly = validator.validate(plan(List.of("qwen2.5-vl-7b"), h100s(1, 8),
                Deployment.of("llm", List.of("qwen2.5-vl-7b/llm"), "h100", 1, 1, 1)));
        assertEquals(List.of("qwen2.5-vl-7b/vision-encoder"), llmOnly.undeployed());
        // a text-to-image pipeline has no decoding LLM to serve alone
        List<String> image = problems(plan(List.of("qwen-image"), h100s(1, 8),
                Deployment.of("te", List.of("qwen-image/text-encoder"), "h100", 1, 1, 1)));
        hasProblem(image, "qwen-image/diffusion-transformer is covered by no deployment");
        List<String> twice = problems(plan(List.of("qwen2.5-vl-7b"), h100s(1, 8),
                Deployment.of("a", List.of("qwen2.5-vl-7b/vision-encoder", "qwen2.5-vl-7b/llm"), "h100", 1, 1, 1),
                Deployment.of("b", List.of("qwen2.5-vl-7b/vision-encoder"), "h100", 1, 1, 1)));
        hasProblem(twice, "qwen2.5-vl-7b/vision-encoder is covered by 2 deployments [a, b]");
        List<String> mixed = problems(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                Deployment.of("a", List.of("llama-3.1-8b/llm"), "h100", 1, 1, 1),
                Deployment.of("b", List.of("llama-3.1-8b/llm:decode"), "h100", 1, 1, 1)));
        hasProblem(mixed, "llama-3.1-8b/llm is covered twice");
        List<String> half = problems(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                Deployment.of("a", List.of("llama-3.1-8b/llm:prefill"), "h100", 1, 1, 1)));
        hasProblem(half, "split LLM llama-3.1-8b/llm", ":decode (has [])");
    }

    @Test
    void splitLlmPlanResolves() {
        ResolvedPlan r = validator.validate(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                Deployment.of("prefill", List.of("llama-3.1-8b/llm:prefill"), "h100", 1, 1, 3),
                Deployment.of("decode", List.of("llama-3.1-8b/llm:decode"), "h100", 1, 1, 5)));
        assertTrue(r.splitsLlm("llama-3.1-8b"));
        assertEquals("decode", r.deploymentFor("llama-3.1-8b/llm:decode").orElseThrow().name());
        // colocated phases share weights
        ResolvedPlan both = validator.validate(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                Deployment.of("pd", List.of("llama-3.1-8b/llm:prefill", "llama-3.1-8b/llm:decode"), "h100", 1, 1, 1)));
        assertEquals(r.deployment("prefill").weightBytes(), both.deployment("pd").weightBytes());
        // KV capacity: whole 16-token blocks of (0.9 x 80e9 - weights) at 131072 bytes per token, for either phase
        var dec = r.deployment("decode");
        assertEquals(131072, dec.kvBytesPerToken());
        assertEquals((long) (0.9 * 80e9 - dec.weightBytes()) / (131072 * 16) * 16, dec.kvCacheTokens());
        assertEquals(dec.kvCacheTokens(), r.deployment("prefill").kvCacheTokens());
        ResolvedPlan image = validator.validate(plan(List.of("qwen-image"), h100s(1, 8),
                Deployment.of("all", List.of("qwen-image/text-encoder", "qwen-image/diffusion-transformer",
                        "qwen-image/vae-decoder"), "h100", 1, 1, 1)));
        assertEquals(0, image.deployment("all").kvCacheTokens());
        assertEquals(131072, both.deployment("pd").kvBytesPerToken());
    }

    @Test
    void gemmaSizesShareOneEncoderDeployment() {
        ResolvedPlan r = validator.validate(plan(List.of("gemma-3-4b", "gemma-3-12b"), h100s(1, 8),
                Deployment.of("siglip", List.of("gemma-3-siglip"), "h100", 1, 1, 1),
                Deployment.of("g4", List.of("gemma-3-4b/llm"), "h100", 1, 1, 1),
                Deployment.of("g12", List.of("gemma-3-12b/llm"), "h100", 1, 1, 1)));
        assertEquals("siglip", r.deploymentFor("gemma-3-siglip").orElseThrow().name());
        assertEquals("siglip", r.deploymentFor("gemma-3-12b/vision-encoder").orElseThrow().name());
        // naming it through a model id is the same task
        List<String> twice = problems(plan(List.of("gemma-3-4b", "gemma-3-12b"), h100s(1, 8),
                Deployment.of("v4", List.of("gemma-3-4b/vision-encoder"), "h100", 1, 1, 1),
                Deployment.of("v12", List.of("gemma-3-12b/vision-encoder"), "h100", 1, 1, 1),
                Deployment.of("g4", List.of("gemma-3-4b/llm"), "h100", 1, 1, 1),
                Deployment.of("g12", List.of("gemma-3-12b/llm"), "h100", 1, 1, 1)));
        hasProblem(twice, "gemma-3-siglip is covered by 2 deployments [v4, v12]");
        assertEquals(1, twice.size(), twice.toString());
    }

    @Test
    void devicesAndParallelismAreChecked() {
        List<String> p = problems(plan(List.of("qwen2.5-vl-7b"), h100s(1, 8),
                Deployment.of("vision", List.of("qwen2.5-vl-7b/vision-encoder"), "h100", 1, 1, 2),
                Deployment.of("llm", List.of("qwen2.5-vl-7b/llm"), "h100-sxm", 2, 2, 4)));
        hasProblem(p, "need 10 h100-sxm devices but the cluster has 8", "vision 1x2", "llm 2x4");
        List<String> tp = problems(plan(List.of("llama-3.1-8b"), h100s(2, 4),
                Deployment.of("llm", List.of("llama-3.1-8b/llm"), "h100", 6, 4, 1)));
        hasProblem(tp, "deployment 'llm'", "tensor_parallel 4 must divide devices_per_replica 6");
        List<String> node = problems(plan(List.of("llama-3.1-8b"), h100s(2, 4),
                Deployment.of("llm", List.of("llama-3.1-8b/llm"), "h100", 8, 8, 1)));
        hasProblem(node, "deployment 'llm'", "tensor_parallel 8 exceeds the 4 devices of one h100-sxm node");
        List<String> wrongHw = problems(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                Deployment.of("llm", List.of("llama-3.1-8b/llm"), "a100-80gb", 1, 1, 1)));
        hasProblem(wrongHw, "need 1 a100-80gb devices but the cluster has 0", "h100-sxm");
        List<String> unknownHw = problems(plan(List.of("llama-3.1-8b"), h100s(1, 8),
                Deployment.of("llm", List.of("llama-3.1-8b/llm"), "b200", 1, 1, 1)));
        hasProblem(unknownHw, "deployment 'llm'", "unknown hardware 'b200'", "rtx4090");
    }

    @Test
    void weightsMustFitWithRoom() {
        ClusterSpec mixed = new ClusterSpec(List.of(new NodeGroup("rtx4090", 1, 8), new NodeGroup("h100", 1, 8)), NVLINK, NET);
        List<String> p = problems(plan(List.of("qwen2.5-vl-32b"), mixed,
                Deployment.of("vision", List.of("qwen2.5-vl-32b/vision-encoder"), "rtx4090", 1, 1, 1),
                Deployment.of("llm", List.of("qwen2.5-vl-32b/llm"), "rtx4090", 2, 2, 1)));
        // 32.8B x 2 bytes = 65.5 GB > 2 x 24 GB x 0.9 = 43.2 GB
        hasProblem(p, "deployment 'llm'", "[qwen2.5-vl-32b/llm]", "65.5", "2 x rtx4090", "43.20 GB usable");
        assertEquals(1, p.size(), p.toString());
        ResolvedPlan ok = validator.validate(plan(List.of("qwen2.5-vl-32b"), mixed,
                Deployment.of("vision", List.of("qwen2.5-vl-32b/vision-encoder"), "rtx4090", 1, 1, 1),
                Deployment.of("llm", List.of("qwen2.5-vl-32b/llm"), "h100", 2, 2, 1)));
        assertTrue(ok.deployment("llm").freeBytesAfterWeights() > 70e9);
        assertEquals(2L * 80_000_000_000L, ok.deployment("llm").memoryBytes());
    }

    @Test
    void batchingFieldsMustApply() {
        Batching llmFields = new Batching(null, null, null, 4096, null, null, null, null);
        Batching encFields = new Batching(8, null, null, null, null, null, null, null);
        List<String> p = problems(plan(List.of("qwen2.5-vl-7b"), h100s(1, 8),
                new Deployment("vision", List.of("qwen2.5-vl-7b/vision-encoder"), "h100", 1, 1, 1, null, llmFields),
                new Deployment("llm", List.of("qwen2.5-vl-7b/llm"), "h100", 1, 1, 1, null, encFields)));
        hasProblem(p, "deployment 'vision'", "LLM fields");
        hasProblem(p, "deployment 'llm'", "encoder fields");
    }

    @Test
    void badPlanFilesNameTheFileAndField() throws Exception {
        String text = Files.readString(resource("encoder-split.json"));
        Path unknown = dir.resolve("bad.json");
        Files.writeString(unknown, text.replace("\"replicas\": 6", "\"replicas\": 6, \"replica\": 6"));
        JsonFileException e = assertThrows(JsonFileException.class, () -> DeploymentPlan.read(unknown));
        assertTrue(e.getMessage().startsWith(unknown + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("deployments[1].replica"), e.getMessage());
        Path zero = dir.resolve("zero.json");
        Files.writeString(zero, text.replace("\"replicas\": 6", "\"replicas\": 0"));
        JsonFileException z = assertThrows(JsonFileException.class, () -> DeploymentPlan.read(zero));
        assertTrue(z.getMessage().contains("deployment 'llm'") && z.getMessage().contains("deployments[1]"), z.getMessage());
        Path over = dir.resolve("over.json");
        Files.writeString(over, text.replace("\"replicas\": 6", "\"replicas\": 7"));
        PlanValidationException v = assertThrows(PlanValidationException.class, () -> validator.readAndValidate(over));
        assertTrue(v.getMessage().startsWith(over + " is invalid"), v.getMessage());
        assertTrue(v.getMessage().contains("need 9 h100-sxm devices but the cluster has 8"), v.getMessage());
        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, text.replace("\"seed\": 1,", ""));
        JsonFileException m = assertThrows(JsonFileException.class, () -> DeploymentPlan.read(missing));
        assertTrue(m.getMessage().contains("missing required field 'seed'"), m.getMessage());
    }

    @Test
    void clusterRecords() {
        ClusterSpec c = new ClusterSpec(List.of(new NodeGroup("h100", 2, 8), new NodeGroup("l40s", 3, 4)), NVLINK, NET);
        var hw = org.cornserve.model.hardware.HardwareCatalog.builtIn();
        assertEquals(28, c.totalDevices());
        assertEquals(java.util.Map.of("h100-sxm", 16, "l40s", 12), c.devicesByHardware(hw));
        assertEquals(4, c.maxDevicesPerNode(hw.get("l40s"), hw));
        assertEquals(5e-6 + 1e-3, NVLINK.transferSeconds(900_000_000L), 1e-12);
        assertEquals(c, Json.parse(Json.write(c), "c", ClusterSpec.class));
        assertEquals(NVLINK, c.intraNodeLink(hw.get("l40s"), hw));
        LinkSpec pcie = new LinkSpec(32e9, 10);
        ClusterSpec own = new ClusterSpec(List.of(new NodeGroup("h100", 2, 8), new NodeGroup("l40s", 3, 4, pcie)), NVLINK, NET);
        assertEquals(pcie, own.intraNodeLink(hw.get("l40s"), hw));
        assertEquals(NVLINK, own.intraNodeLink(hw.get("h100"), hw));
        assertEquals(own, Json.parse(Json.write(own), "c", ClusterSpec.class));
        assertTrue(!Json.write(c).contains("\"intra_node\" : null"));
        assertThrows(IllegalArgumentException.class, () -> new NodeGroup("h100", 0, 8));
        assertThrows(IllegalArgumentException.class, () -> new LinkSpec(0, 1));
        var e = assertThrows(JsonFileException.class, () -> Json.parse(
                "{\"node_groups\":[],\"intra_node\":{\"bytes_per_second\":1,\"latency_us\":0},\"inter_node\":{\"bytes_per_second\":1,\"latency_us\":0}}",
                "cluster.json", ClusterSpec.class));
        assertTrue(e.getMessage().contains("node_groups must list at least one group"), e.getMessage());
    }

    @Test
    void randomPlansRoundTripThroughJson() {
        Random rnd = new Random(42);
        List<String> hws = List.of("h100-sxm", "a100-80gb", "l40s", "h200");
        for (int i = 0; i < 100; i++) {
            String hw = hws.get(rnd.nextInt(hws.size()));
            ClusterSpec c = new ClusterSpec(List.of(new NodeGroup(hw, 1 + rnd.nextInt(4), 1 + rnd.nextInt(8))),
                    new LinkSpec(1e9 + rnd.nextInt(1000) * 1e9, rnd.nextInt(20)), new LinkSpec(1e9, rnd.nextDouble() * 50));
            int tp = 1 << rnd.nextInt(3);
            Batching b = rnd.nextBoolean() ? null : new Batching(rnd.nextBoolean() ? null : 1 + rnd.nextInt(64), null,
                    rnd.nextBoolean() ? null : rnd.nextDouble() * 10, 1 + rnd.nextInt(16384), null, rnd.nextBoolean(),
                    rnd.nextBoolean() ? Preemption.SWAP : null, 0.5 + rnd.nextDouble() / 2);
            var explanation = rnd.nextBoolean() ? null : Json.mapper().createObjectNode().put("score", rnd.nextDouble());
            DeploymentPlan p = new DeploymentPlan("p" + i, "random", rnd.nextLong(), List.of("llama-3.1-8b"), c,
                    List.of(new Deployment("d", List.of("llama-3.1-8b/llm"), hw, tp * (1 + rnd.nextInt(2)), tp,
                            1 + rnd.nextInt(4), rnd.nextBoolean() ? null : "power-of-two", b)), explanation);
            assertEquals(p, Json.parse(Json.write(p), "plan", DeploymentPlan.class));
        }
    }
}
