package org.cornserve.cli.validate;

import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.LlmParallelism;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.model.profile.ProfileCosts;
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.task.UnitTask;

/**
 * What the simulation charges the served LLM for a step, from the measured profile (or the roofline where none was
 * measured): the cost model of a deployment's LLM task ({@link #llmCost}), a lone prefill's time ({@link #prefillMs})
 * and the longest prefill the profile measured ({@link #longestPrefillPoint}).
 */
public final class ProfileCharges {
    private ProfileCharges() {
    }

    /**
     * The simulator's TTFT without overhead of a request of {@code tokens} prompt tokens on an idle server: one
     * prefill on the replica hosting the model's LLM.
     */
    static double prefillMs(String model, ResolvedPlan plan, ProfileBook profiles, long tokens) {
        for (ResolvedDeployment rd : plan.deployments()) {
            for (UnitTask t : rd.tasks()) {
                if (t.id().startsWith(model + "/llm")) {
                    return llmCost(rd, t, profiles).iterationSeconds(tokens, tokens * (tokens + 1) / 2, 0, 0) * 1e3;
                }
            }
        }
        return 0;
    }

    /**
     * The most prompt tokens the model's LLM profile measured one prefill at (its largest prefill point); unbounded
     * without a measured profile.
     */
    static long longestPrefillPoint(String model, ResolvedPlan plan, ProfileBook profiles) {
        for (ResolvedDeployment rd : plan.deployments()) {
            for (UnitTask t : rd.tasks()) {
                if (t.id().startsWith(model + "/llm")) {
                    return profiles.find(t.id(), rd.hardware().name(), rd.deployment().devicesPerReplica())
                            .flatMap(p -> p.prefill().stream().map(Profile.PrefillPoint::tokens).max(Long::compare))
                            .orElse(Long.MAX_VALUE);
                }
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * The cost model of each (deployment, task) of {@code plan} by their indices, each built once ({@link #llmCost}):
     * what {@link StepRecorder#write} charges the served steps against.
     */
    static java.util.function.BiFunction<Integer, Integer, LlmCost> costsOf(ResolvedPlan plan, ProfileBook profiles) {
        return memo((d, t) -> llmCost(plan.deployments().get(d), plan.deployments().get(d).tasks().get(t), profiles));
    }

    /** {@code costOf} asked once per (deployment, task): building a profile's cost model is not free. */
    private static java.util.function.BiFunction<Integer, Integer, LlmCost> memo(
            java.util.function.BiFunction<Integer, Integer, LlmCost> costOf) {
        java.util.Map<java.util.List<Integer>, java.util.Optional<LlmCost>> built = new java.util.HashMap<>();
        return (d, t) -> built.computeIfAbsent(java.util.List.of(d, t),
                k -> java.util.Optional.ofNullable(costOf.apply(d, t))).orElse(null);
    }

    /**
     * The simulator's cost model of an LLM task on a deployment's replica: its measured profile where the book has
     * one, else the roofline; null for a task that is not an LLM.
     */
    static LlmCost llmCost(ResolvedDeployment rd, UnitTask t, ProfileBook profiles) {
        int devices = rd.deployment().devicesPerReplica();
        if (!(new RooflineTaskCosts(rd.hardware()).cost(t, LlmParallelism.tensor(devices)) instanceof TaskCost.Llm est)) {
            return null;
        }
        LlmCost roofline = est.cost();
        return profiles.find(t.id(), rd.hardware().name(), devices)
                .map((Profile p) -> ProfileCosts.llm(p, roofline, null)).orElse(roofline);
    }
}
