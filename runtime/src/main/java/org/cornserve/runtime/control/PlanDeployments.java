package org.cornserve.runtime.control;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.plan.Batching;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.task.UnitTask;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.DiffusionBatching;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;

/**
 * The scheduler core's view of a plan's deployments for the runtime: the plan's batching per task kind (single-pass
 * batching for encoders, vocoders and VAE decoders; continuous batching for LLMs and talkers; stepped batching for
 * diffusion transformers), KV capacity capped by {@link RuntimeOptions#kvTokensPerTask()} (executors allocate that
 * many tokens), decode runs bounded by {@link RuntimeOptions#maxRunIterations()}.
 */
public final class PlanDeployments {
    private PlanDeployments() {
    }

    /** One config per plan deployment, in plan order; router seeds from the plan's seed and position. */
    public static List<DeploymentConfig> of(ResolvedPlan plan, RuntimeOptions options) {
        List<DeploymentConfig> out = new ArrayList<>();
        // under async scheduling every step is one iteration, as vLLM's: a decode run sent behind another step could
        // not be cut short in time
        long runIterations = plan.plan().asyncSchedulingOrDefault() ? 1 : options.maxRunIterations();
        for (int i = 0; i < plan.deployments().size(); i++) {
            ResolvedDeployment rd = plan.deployments().get(i);
            Batching.EncoderBatching enc = rd.deployment().batching().encoder();
            Batching.LlmBatching llm = rd.deployment().batching().llm();
            List<TaskConfig> tasks = new ArrayList<>();
            for (UnitTask t : rd.tasks()) {
                tasks.add(switch (t.kind()) {
                    case ENCODER, VOCODER, VAE_DECODER -> new TaskConfig.Batch(t.id(), new ItemBatching(enc.maxItems(),
                            enc.maxTokens(), Math.round(enc.maxWaitMs() * 1e6)));
                    case GENERATOR -> new TaskConfig.Diffusion(t.id(), new DiffusionBatching(enc.maxItems(),
                            enc.maxTokens()));
                    case LLM, TALKER -> {
                        Preemption p = Preemption.parse(llm.preemption().jsonName());
                        if (p == Preemption.SWAP) {
                            throw new IllegalArgumentException("deployment '" + rd.name() + "': the runtime's executors"
                                    + " recompute preempted sequences; preemption 'swap' is for the simulator only");
                        }
                        long planned = rd.kvCacheTokens();
                        // a prefill-only text encoder has no cache in the plan's memory model: it gets the runtime's
                        long kv = planned > 0 ? Math.min(options.kvTokensPerTask(), planned) : options.kvTokensPerTask();
                        yield new TaskConfig.Llm(t.id(), switch (t.phase()) {
                            case WHOLE -> LlmPhase.FULL;
                            case PREFILL -> LlmPhase.PREFILL;
                            case DECODE -> LlmPhase.DECODE;
                        }, new LlmBatching(llm.maxNumBatchedTokens(), llm.maxNumSeqs(), llm.chunkedPrefill(), p, kv,
                                runIterations));
                    }
                });
            }
            out.add(new DeploymentConfig(rd.name(), tasks, rd.deployment().replicas(), rd.deployment().router(),
                    plan.plan().seed() * 1_000_003L + i, options.admissionBound()));
        }
        return out;
    }

    /**
     * The plan's models that have a deployment with a replica up (by {@code deploymentUp}, indexed in plan order), in
     * the plan's model order.
     */
    public static List<String> modelsServed(ResolvedPlan plan, java.util.function.IntPredicate deploymentUp) {
        java.util.Set<String> up = new java.util.HashSet<>();
        for (int d = 0; d < plan.deployments().size(); d++) {
            if (deploymentUp.test(d)) {
                for (UnitTask t : plan.deployments().get(d).tasks()) {
                    up.add(t.model());
                }
            }
        }
        return plan.models().stream().map(org.cornserve.model.catalog.ModelSpec::name).filter(up::contains).toList();
    }
}
