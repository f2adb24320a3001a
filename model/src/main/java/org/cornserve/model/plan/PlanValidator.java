package org.cornserve.model.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.task.Component;
import org.cornserve.model.task.LanguageModel;
import org.cornserve.model.task.LlmPhase;
import org.cornserve.model.task.UnitTask;

/**
 * Checks a deployment plan against the model and hardware catalogs and its own cluster, and resolves it.
 * Every problem is collected (not just the first), each message naming the deployment and the numbers:
 * <ul>
 *   <li>unknown model, task id or hardware (the known ones are listed);</li>
 *   <li>a task whose model the plan does not serve;</li>
 *   <li>a component of a served model covered by two deployments (a whole LLM and its phases together count as
 *       two; a split LLM needs both phases), or a model's LLM covered by none;</li>
 *   <li>more devices of a hardware kind than the cluster has;</li>
 *   <li>tensor_parallel not dividing devices_per_replica, or larger than a node of that hardware;</li>
 *   <li>weights of the colocated tasks not fitting in the usable memory of one replica, or leaving no room for
 *       one KV-cache block (after the peak activation under {@code gpu_memory_utilization});</li>
 *   <li>batching fields that do not apply to any task of the deployment.</li>
 * </ul>
 *
 * <p>A model may be served by its LLM alone: a component other than a model's (decoding) LLM that no deployment
 * covers is left out of the plan ({@link ResolvedPlan#undeployed()} lists it), and requests that need it are
 * rejected by the scheduling core with the missing task named ("no deployment serves task ..."). A model without a
 * decoding LLM (a text-to-image pipeline) still needs every component.
 *
 * <p>vLLM's knobs in {@code batching} ({@code block_size}, {@code gpu_memory_utilization}, {@code num_gpu_blocks},
 * {@code preemption} of {@code recompute}, {@code swap} or {@code none}) resolve into
 * {@link ResolvedDeployment#kvCacheTokens()} as {@link Batching} describes. {@code enable_prefix_caching} is
 * accepted and carried in the resolved plan ({@code batching().llm().enablePrefixCaching()}), but nothing
 * simulates prefix caching yet: such a plan is simulated with every prompt prefilled in full.
 */
public final class PlanValidator {
    private final ModelCatalog models;
    private final HardwareCatalog hardware;

    public PlanValidator(ModelCatalog models, HardwareCatalog hardware) {
        this.models = models;
        this.hardware = hardware;
    }

    /** A validator over the built-in catalogs. */
    public static PlanValidator builtIn() {
        return new PlanValidator(ModelCatalog.builtIn(), HardwareCatalog.builtIn());
    }

    /** Reads and validates a plan file; problems are reported under the file's name. */
    public ResolvedPlan readAndValidate(Path file) {
        return validate(DeploymentPlan.read(file), file.toString());
    }

    /** Validates and resolves; throws {@link PlanValidationException} listing every problem. */
    public ResolvedPlan validate(DeploymentPlan plan) {
        return validate(plan, "plan '" + plan.name() + "'");
    }

    /** Every problem of a plan, empty when it is valid. */
    public List<String> problems(DeploymentPlan plan) {
        try {
            validate(plan);
            return List.of();
        } catch (PlanValidationException e) {
            return e.problems();
        }
    }

    private ResolvedPlan validate(DeploymentPlan plan, String source) {
        List<String> problems = new ArrayList<>();
        List<ModelSpec> specs = new ArrayList<>();
        java.util.Set<String> seenModels = new java.util.HashSet<>();
        for (String name : plan.models()) {
            if (!seenModels.add(name.trim().toLowerCase(Locale.ROOT))) {
                problems.add("model " + name + " is listed twice in models");
                continue;
            }
            try {
                specs.add(models.model(name));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        Map<String, Integer> devicesByHardware = new LinkedHashMap<>();
        try {
            devicesByHardware = plan.cluster().devicesByHardware(hardware);
        } catch (IllegalArgumentException e) {
            problems.add("cluster: " + e.getMessage());
        }

        List<ResolvedDeployment> resolved = new ArrayList<>();
        Map<String, List<String>> coverage = new LinkedHashMap<>(); // task id -> deployments
        Map<String, ResolvedDeployment> byTaskId = new LinkedHashMap<>();
        for (Deployment d : plan.deployments()) {
            String where = "deployment '" + d.name() + "'";
            List<UnitTask> tasks = new ArrayList<>();
            for (String taskId : d.tasks()) {
                try {
                    UnitTask t = models.unitTask(taskId);
                    if (servedBy(t, specs) == null) {
                        problems.add(where + ": task " + taskId + " belongs to no model of the plan (models: "
                                + String.join(", ", plan.models()) + ")");
                        continue;
                    }
                    if (tasks.stream().anyMatch(o -> o.id().equals(t.id()))) {
                        problems.add(where + ": task " + taskId + " is listed twice (as " + t.id() + ")");
                        continue;
                    }
                    tasks.add(t);
                    coverage.computeIfAbsent(t.id(), k -> new ArrayList<>()).add(d.name());
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                }
            }
            Hardware hw;
            try {
                hw = hardware.get(d.hardware());
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
                continue;
            }
            ResolvedDeployment rd = new ResolvedDeployment(d, tasks, hw);
            resolved.add(rd);
            for (UnitTask t : tasks) {
                byTaskId.putIfAbsent(t.id(), rd);
            }
            checkShape(rd, plan, problems);
        }
        List<String> undeployed = new ArrayList<>();
        Map<String, Boolean> split = checkCoverage(specs, coverage, problems, undeployed);
        checkDevices(plan, resolved, devicesByHardware, problems);
        if (!problems.isEmpty()) {
            throw new PlanValidationException(source, problems);
        }
        // aliases: a shared task is also reachable under every model's local id
        Map<String, ResolvedDeployment> withLocal = new LinkedHashMap<>(byTaskId);
        for (ModelSpec m : specs) {
            for (UnitTask t : m.unitTasks(split.getOrDefault(m.name(), false))) {
                ResolvedDeployment rd = byTaskId.get(t.id());
                if (rd != null) {
                    withLocal.putIfAbsent(t.localId(), rd);
                }
            }
        }
        return new ResolvedPlan(plan, specs, resolved, withLocal, split, undeployed);
    }

    private static ModelSpec servedBy(UnitTask t, List<ModelSpec> specs) {
        for (ModelSpec m : specs) {
            for (Component c : m.components()) {
                if (c.equals(t.component()) && (t.component().shareId().isEmpty() ? m.name().equals(t.model()) : true)) {
                    return m;
                }
            }
        }
        return null;
    }

    private void checkShape(ResolvedDeployment rd, DeploymentPlan plan, List<String> problems) {
        Deployment d = rd.deployment();
        String where = "deployment '" + d.name() + "'";
        int tp = d.tensorParallel();
        int perReplica = d.devicesPerReplica();
        int dp = d.dataParallel();
        if (dp == 1 && (tp > perReplica || perReplica % tp != 0)) {
            problems.add(where + ": tensor_parallel " + tp + " must divide devices_per_replica " + perReplica);
        } else if (dp > 1 && (tp * dp > perReplica || perReplica % (tp * dp) != 0)) {
            problems.add(where + ": tensor_parallel " + tp + " x data_parallel " + dp + " must divide devices_per_replica "
                    + perReplica);
        }
        if (dp > 1 || d.expertParallel()) {
            String field = dp > 1 ? "data_parallel " + dp : "expert_parallel";
            for (UnitTask t : rd.tasks()) {
                if (!(t.component() instanceof LanguageModel lm) || lm.prefillOnly()) {
                    problems.add(where + ": " + field + " applies to a deployment of mixture-of-experts LLMs only, but "
                            + t.id() + " is a " + t.kind().jsonName()
                            + (t.component() instanceof LanguageModel ? " run for prefill only" : "")
                            + "; deploy it apart");
                } else if (!lm.arch().isMoe()) {
                    problems.add(where + ": " + field + " needs a mixture-of-experts LLM, but " + t.id()
                            + " is dense" + (dp > 1 ? "; use replicas for data parallelism of a dense model" : ""));
                }
            }
        }
        int perNode = plan.cluster().maxDevicesPerNode(rd.hardware(), hardware);
        if (perNode > 0 && tp > perNode) {
            problems.add(where + ": tensor_parallel " + tp + " exceeds the " + perNode + " devices of one "
                    + rd.hardware().name() + " node");
        }
        if (!rd.tasks().isEmpty()) {
            long weights = rd.weightBytes();
            long usable = rd.usableMemoryBytes();
            if (weights >= usable) {
                problems.add(String.format(Locale.ROOT,
                        "%s: weights of %s need %.2f GB per replica but %d x %s (%.1f GB each) give %.2f GB usable"
                                + " (memory fraction %.2f); use more devices_per_replica or split the tasks",
                        where, taskIds(rd), weights / 1e9, perReplica, rd.hardware().name(),
                        rd.hardware().memoryBytes() / 1e9, usable / 1e9, usable / (double) rd.memoryBytes()));
            }
            if (d.batching().hasLlmFields() && !rd.hasAutoregressiveTask()) {
                problems.add(where + ": batching sets LLM fields (max_num_batched_tokens, max_num_seqs, chunked_prefill,"
                        + " preemption, kv_cache_memory_fraction, block_size, gpu_memory_utilization, num_gpu_blocks,"
                        + " enable_prefix_caching) but none of " + taskIds(rd) + " is an LLM or talker");
            }
            if (weights < usable && rd.kvBytesPerToken() > 0 && KvCacheMemory.blocks(rd) < 1) {
                Batching.LlmBatching llm = d.batching().llm();
                problems.add(String.format(Locale.ROOT,
                        "%s: no room for one KV-cache block of %d tokens: %.2f GB usable - %.2f GB weights - %.2f GB"
                                + " peak activation leave %.3f GB, one block needs %d bytes",
                        where, llm.blockSize(), usable / 1e9, weights / 1e9, KvCacheMemory.peakActivationBytes(rd) / 1e9,
                        KvCacheMemory.cacheBytes(rd) / 1e9, rd.kvBytesPerToken() * llm.blockSize()));
            }
            if (d.batching().hasEncoderFields() && !rd.hasBatchTask()) {
                problems.add(where + ": batching sets encoder fields (max_batch_items, max_batch_tokens, max_wait_ms)"
                        + " but every task of " + taskIds(rd) + " is an LLM or talker");
            }
        }
    }

    private static String taskIds(ResolvedDeployment rd) {
        return "[" + String.join(", ", rd.tasks().stream().map(UnitTask::id).toList()) + "]";
    }

    /** Returns, per model, whether its LLM is split into phases. */
    private static Map<String, Boolean> checkCoverage(List<ModelSpec> specs, Map<String, List<String>> coverage,
            List<String> problems, List<String> undeployed) {
        Map<String, Boolean> split = new LinkedHashMap<>();
        java.util.Set<String> reported = new java.util.HashSet<>();
        for (ModelSpec m : specs) {
            for (Component c : m.components()) {
                UnitTask whole = UnitTask.whole(m.name(), c);
                List<String> wholeBy = coverage.getOrDefault(whole.id(), List.of());
                if (c instanceof LanguageModel lm && !lm.prefillOnly()) {
                    List<String> pre = coverage.getOrDefault(new UnitTask(m.name(), c, LlmPhase.PREFILL).id(), List.of());
                    List<String> dec = coverage.getOrDefault(new UnitTask(m.name(), c, LlmPhase.DECODE).id(), List.of());
                    boolean phases = !pre.isEmpty() || !dec.isEmpty();
                    split.put(m.name(), phases);
                    if (!wholeBy.isEmpty() && phases) {
                        problems.add("task " + whole.id() + " is covered twice: whole by " + wholeBy + " and by phase in "
                                + concat(pre, dec));
                    } else if (phases && (pre.size() != 1 || dec.size() != 1)) {
                        problems.add("split LLM " + whole.id() + " needs exactly one deployment for :prefill (has "
                                + pre + ") and one for :decode (has " + dec + ")");
                    } else if (!phases) {
                        checkOnce(whole.id(), wholeBy, problems, reported);
                    }
                } else if (wholeBy.isEmpty() && servesByLlmAlone(m)) {
                    if (!undeployed.contains(whole.id())) {
                        undeployed.add(whole.id());
                    }
                } else {
                    checkOnce(whole.id(), wholeBy, problems, reported);
                }
            }
        }
        // a shared component left out by one model but deployed for another is deployed
        undeployed.removeIf(id -> !coverage.getOrDefault(id, List.of()).isEmpty());
        return split;
    }

    /** True when the model has a decoding LLM, so its other components may be left out of a plan. */
    private static boolean servesByLlmAlone(ModelSpec m) {
        return m.components().stream().anyMatch(c -> c instanceof LanguageModel lm && !lm.prefillOnly());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static void checkOnce(String taskId, List<String> by, List<String> problems, java.util.Set<String> reported) {
        if (!reported.add(taskId)) {
            return; // a shared task of several models is reported once
        }
        if (by.isEmpty()) {
            problems.add("task " + taskId + " is covered by no deployment");
        } else if (by.size() > 1) {
            problems.add("task " + taskId + " is covered by " + by.size() + " deployments " + by + "; list it in one");
        }
    }

    private void checkDevices(DeploymentPlan plan, List<ResolvedDeployment> resolved, Map<String, Integer> available,
            List<String> problems) {
        Map<String, Integer> needed = new LinkedHashMap<>();
        Map<String, List<String>> who = new LinkedHashMap<>();
        for (ResolvedDeployment rd : resolved) {
            Deployment d = rd.deployment();
            needed.merge(rd.hardware().name(), d.devices(), Integer::sum);
            who.computeIfAbsent(rd.hardware().name(), k -> new ArrayList<>())
                    .add(d.name() + " " + d.devicesPerReplica() + "x" + d.replicas());
        }
        for (Map.Entry<String, Integer> e : needed.entrySet()) {
            int have = available.getOrDefault(e.getKey(), 0);
            if (e.getValue() > have) {
                problems.add("deployments " + who.get(e.getKey()) + " need " + e.getValue() + " " + e.getKey()
                        + " devices but the cluster has " + have
                        + (have == 0 ? " (cluster hardware: " + available.keySet() + ")" : ""));
            }
        }
    }
}
