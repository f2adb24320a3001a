package org.cornserve.model.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.json.Json;

/**
 * A deployment plan: which models are served on which cluster, and how their unit tasks are grouped into
 * deployments. Written by planners, read by the simulator and the runtime. {@link PlanValidator} checks it
 * against the catalogs.
 *
 * @param name a label
 * @param strategy how it was made ({@code monolithic}, {@code encoder-split}, {@code pd-split}, ...)
 * @param seed seed of whatever randomness produced or will run it
 * @param models model names served
 * @param cluster the cluster
 * @param deployments the deployments
 * @param explanation free-form notes from the planner (any JSON object), or null
 * @param streamChunkTokens thinker tokens per chunk of hidden states streamed to an Omni model's talker, which
 *        starts on the first chunk; 0 hands the whole answer over when the thinker ends; null (not written) means
 *        {@value #DEFAULT_STREAM_CHUNK_TOKENS}, as vLLM-Omni's {@code async_chunk} streams thinker to talker every
 *        decode step (https://docs.vllm.ai/projects/vllm-omni/en/stable/design/feature/async_chunk/). The simulator
 *        honours it; the runtime still hands the whole answer over.
 * @param asyncScheduling whether a replica's next step is decided while its current one computes (vLLM's async
 *        scheduling; see {@code SchedulerCore}): the runtime and the simulator both honour it; null (not written)
 *        means {@value #DEFAULT_ASYNC_SCHEDULING}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentPlan(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "strategy", required = true) String strategy,
        @JsonProperty(value = "seed", required = true) long seed,
        @JsonProperty(value = "models", required = true) List<String> models,
        @JsonProperty(value = "cluster", required = true) ClusterSpec cluster,
        @JsonProperty(value = "deployments", required = true) List<Deployment> deployments,
        @JsonProperty("explanation") JsonNode explanation,
        @JsonProperty("stream_chunk_tokens") Integer streamChunkTokens,
        @JsonProperty("async_scheduling") Boolean asyncScheduling) {

    /** Whether steps are decided ahead when a plan does not say ({@code async_scheduling}). */
    public static final boolean DEFAULT_ASYNC_SCHEDULING = false;

    /** Thinker tokens per streamed chunk when a plan does not say ({@code stream_chunk_tokens}). */
    public static final int DEFAULT_STREAM_CHUNK_TOKENS = 1;

    public DeploymentPlan {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("plan name is empty");
        }
        if (strategy == null || strategy.isBlank()) {
            throw new IllegalArgumentException("plan '" + name + "': strategy is empty");
        }
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("plan '" + name + "': models must list at least one model");
        }
        models = List.copyOf(models);
        if (cluster == null) {
            throw new IllegalArgumentException("plan '" + name + "': cluster is missing");
        }
        if (deployments == null || deployments.isEmpty()) {
            throw new IllegalArgumentException("plan '" + name + "': deployments must list at least one deployment");
        }
        deployments = List.copyOf(deployments);
        Set<String> names = new HashSet<>();
        for (Deployment d : deployments) {
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("plan '" + name + "': deployment name '" + d.name() + "' appears twice");
            }
        }
        if (explanation != null && !explanation.isObject()) {
            throw new IllegalArgumentException("plan '" + name + "': explanation must be a JSON object");
        }
        explanation = explanation == null ? null : explanation.deepCopy();
        if (streamChunkTokens != null && streamChunkTokens < 0) {
            throw new IllegalArgumentException("plan '" + name + "': stream_chunk_tokens must be >= 0 (0: hand the"
                    + " whole answer over), got " + streamChunkTokens);
        }
    }

    /** A plan with the default async scheduling ({@code async_scheduling} not set). */
    public DeploymentPlan(String name, String strategy, long seed, List<String> models, ClusterSpec cluster,
            List<Deployment> deployments, JsonNode explanation, Integer streamChunkTokens) {
        this(name, strategy, seed, models, cluster, deployments, explanation, streamChunkTokens, null);
    }

    /** {@code async_scheduling}, or its default. */
    public boolean asyncSchedulingOrDefault() {
        return asyncScheduling == null ? DEFAULT_ASYNC_SCHEDULING : asyncScheduling;
    }

    /** The same plan with async scheduling on or off. */
    public DeploymentPlan withAsyncScheduling(boolean on) {
        return new DeploymentPlan(name, strategy, seed, models, cluster, deployments, explanation, streamChunkTokens,
                on);
    }

    /** A plan with the default streamed hand-off ({@code stream_chunk_tokens} not set). */
    public DeploymentPlan(String name, String strategy, long seed, List<String> models, ClusterSpec cluster,
            List<Deployment> deployments, JsonNode explanation) {
        this(name, strategy, seed, models, cluster, deployments, explanation, null);
    }

    /** Thinker tokens per chunk streamed to a talker: {@code stream_chunk_tokens}, or its default; 0 = whole. */
    public int streamChunkTokensOrDefault() {
        return streamChunkTokens == null ? DEFAULT_STREAM_CHUNK_TOKENS : streamChunkTokens;
    }

    /** The same plan handing off in chunks of {@code tokens} (0: whole). */
    public DeploymentPlan withStreamChunkTokens(int tokens) {
        return new DeploymentPlan(name, strategy, seed, models, cluster, deployments, explanation, tokens,
                asyncScheduling);
    }

    /** Reads a plan file (syntax and record checks only; see {@link PlanValidator} for the rest). */
    public static DeploymentPlan read(Path file) {
        return Json.read(file, DeploymentPlan.class);
    }

    /** Writes the plan as pretty JSON. */
    public void write(Path file) {
        Json.write(file, this);
    }

    public Optional<Deployment> deployment(String deploymentName) {
        return deployments.stream().filter(d -> d.name().equals(deploymentName)).findFirst();
    }

    /** The same plan with another explanation object. */
    public DeploymentPlan withExplanation(JsonNode newExplanation) {
        return new DeploymentPlan(name, strategy, seed, models, cluster, deployments, newExplanation, streamChunkTokens,
                asyncScheduling);
    }

    /** The same plan with other deployments. */
    public DeploymentPlan withDeployments(List<Deployment> newDeployments) {
        return new DeploymentPlan(name, strategy, seed, models, cluster, newDeployments, explanation, streamChunkTokens,
                asyncScheduling);
    }
}
