package org.cornserve.planner.estimate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.PlannerTask;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.RequestWork;
import org.cornserve.planner.TaskWork;

/**
 * The workload's request samples as dense arrays, per task, with the moments the estimate needs. Built
 * once per problem. O(tasks x samples).
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

    WorkloadMix(PlanningProblem problem) {
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

    int index(String taskId) {
        Integer i = taskIndex.get(taskId);
        if (i == null) {
            throw new IllegalArgumentException("no unit task " + taskId);
        }
        return i;
    }
}
