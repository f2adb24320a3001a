package org.cornserve.planner.estimate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.PlannerTask;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.RequestWork;
import org.cornserve.planner.TaskKind;
import org.cornserve.planner.TaskWork;

/**
 * The workload's request samples as dense arrays, per task, with the moments the estimate needs. Built
 * once per problem. O(tasks x samples).
 *
 * <p>Streamed hand-off ({@code streamChunkTokens > 0}): a talker's prompt is its thinker's prompt and first chunk
 * (the later positions reach it one per generated code and add no prompt positions), as
 * {@code RequestGraphs.toInvocations} builds it for the simulator and the runtime; {@link #streamSource} names the
 * thinker whose chunk releases the talker.
 */
final class WorkloadMix {
    final int samples;
    final Map<String, Integer> taskIndex = new HashMap<>();
    final PlannerTask[] tasks;
    /** [task][sample] work; zero where the request skips the task. */
    final double[][] items;
    final double[][] tokens;
    final double[][] outputs;
    final double[][] steps;
    /** [sample] duration of the response's speech in seconds, 0 without. */
    final double[] audioSeconds;
    /** Per-task means over all requests (zeros included). */
    final double[] meanItems;
    final double[] meanTokens;
    final double[] meanOutputs;
    /** Mean steps x items (denoising steps per request). */
    final double[] meanJobSteps;
    /** Fraction of requests that touch the task. */
    final double[] touchFraction;
    /** E[P^2] / E[P] over prompts (for prefill attention), per task. */
    final double[] promptSquareOverMean;
    /** Mean context of a running decode sequence, output-weighted: E[P O]/E[O] + E[O^2]/(2 E[O]). */
    final double[] decodeContext;
    /** Largest prompt + output tokens of any request. */
    final double[] maxContext;
    /** Fraction of requests that generate two or more tokens with the task (TPOT applies). */
    final double[] multiTokenFraction;
    /** Per task: the LLM task streaming its hidden states to it (a talker's thinker), or -1. */
    final int[] streamSource;
    /** Thinker tokens per streamed chunk, 0 for the whole hand-off. */
    final int streamChunkTokens;

    WorkloadMix(PlanningProblem problem) {
        this(problem, 0);
    }

    WorkloadMix(PlanningProblem problem, int streamChunkTokens) {
        List<RequestWork> reqs = problem.workload().samples();
        samples = reqs.size();
        tasks = problem.tasks().toArray(PlannerTask[]::new);
        int n = tasks.length;
        for (int t = 0; t < n; t++) {
            taskIndex.put(tasks[t].id(), t);
        }
        items = new double[n][samples];
        tokens = new double[n][samples];
        outputs = new double[n][samples];
        steps = new double[n][samples];
        audioSeconds = new double[samples];
        meanItems = new double[n];
        meanTokens = new double[n];
        meanOutputs = new double[n];
        meanJobSteps = new double[n];
        touchFraction = new double[n];
        promptSquareOverMean = new double[n];
        decodeContext = new double[n];
        maxContext = new double[n];
        multiTokenFraction = new double[n];
        this.streamChunkTokens = streamChunkTokens;
        streamSource = new int[n];
        java.util.Arrays.fill(streamSource, -1);
        for (int s = 0; s < samples; s++) {
            audioSeconds[s] = reqs.get(s).audioSeconds();
            for (Map.Entry<String, TaskWork> e : reqs.get(s).work().entrySet()) {
                int t = taskIndex.get(e.getKey());
                TaskWork w = e.getValue();
                items[t][s] = w.items();
                tokens[t][s] = w.tokens();
                outputs[t][s] = w.outputTokens();
                steps[t][s] = w.steps();
            }
        }
        if (streamChunkTokens > 0) {
            for (int t = 0; t < n; t++) {
                if (tasks[t].kind() == TaskKind.TALKER) {
                    streamSource[t] = thinkerOf(t);
                    int u = streamSource[t];
                    for (int s = 0; u >= 0 && s < samples; s++) {
                        double answer = outputs[u][s];
                        if (tokens[t][s] > 0 && answer > 0 && tokens[t][s] >= answer) {
                            tokens[t][s] += Math.min(streamChunkTokens, answer) - answer;
                        }
                    }
                }
            }
        }
        for (int t = 0; t < n; t++) {
            double sumP2 = 0;
            double sumPO = 0;
            double sumO2 = 0;
            for (int s = 0; s < samples; s++) {
                double p = tokens[t][s];
                double o = outputs[t][s];
                meanItems[t] += items[t][s];
                meanTokens[t] += p;
                meanOutputs[t] += o;
                meanJobSteps[t] += steps[t][s] * items[t][s];
                if (items[t][s] > 0 || p > 0) {
                    touchFraction[t]++;
                }
                if (o >= 2) {
                    multiTokenFraction[t]++;
                }
                sumP2 += p * p;
                sumPO += p * o;
                sumO2 += o * o;
                maxContext[t] = Math.max(maxContext[t], p + o);
            }
            double sumP = meanTokens[t];
            double sumO = meanOutputs[t];
            promptSquareOverMean[t] = sumP > 0 ? sumP2 / sumP : 0;
            decodeContext[t] = sumO > 0 ? sumPO / sumO + sumO2 / (2 * sumO) : 0;
            meanItems[t] /= samples;
            meanTokens[t] /= samples;
            meanOutputs[t] /= samples;
            meanJobSteps[t] /= samples;
            touchFraction[t] /= samples;
            multiTokenFraction[t] /= samples;
        }
    }

    /** The LLM task of talker {@code t}'s model, or -1. */
    private int thinkerOf(int t) {
        String model = tasks[t].id().substring(0, tasks[t].id().indexOf('/') + 1);
        for (int u = 0; u < tasks.length; u++) {
            if (tasks[u].kind() == TaskKind.LLM && tasks[u].id().startsWith(model)) {
                return u;
            }
        }
        return -1;
    }

    int index(String taskId) {
        Integer i = taskIndex.get(taskId);
        if (i == null) {
            throw new IllegalArgumentException("no unit task " + taskId);
        }
        return i;
    }
}
