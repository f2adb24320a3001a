package org.cornserve.runtime.control;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.graph.RequestGraph;
import org.cornserve.model.graph.TaskNode;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.task.UnitTask;
import org.cornserve.runtime.app.Task;

/**
 * The deployments an app's tasks need in a plan: for each task (a model and the outputs it asks for), every unit
 * task a request to it can touch (the model's composite task for a request that carries every input modality the
 * model takes and asks for the task's outputs: text-only output leaves out the talker and vocoder), and for each
 * unit task the plan's deployment that serves it. Equivalent unit tasks are one deployment, so two apps on the same
 * model share it. Cost: O(tasks x components x deployments).
 */
public final class AppNeeds {
    private final ResolvedPlan plan;
    private final ModelCatalog catalog;
    private final Map<String, Integer> deploymentOfTask = new HashMap<>();

    public AppNeeds(ResolvedPlan plan, ModelCatalog catalog) {
        this.plan = plan;
        this.catalog = catalog;
        for (int d = 0; d < plan.deployments().size(); d++) {
            for (UnitTask t : plan.deployments().get(d).tasks()) {
                deploymentOfTask.put(t.id(), d);
            }
        }
    }

    /**
     * The plan's deployment indices {@code tasks} need, in plan order.
     *
     * @throws IllegalArgumentException when a task's model is not in the catalog, cannot give the outputs asked
     *     for, or uses a unit task no deployment of the plan serves (the message names it)
     */
    public Set<Integer> deployments(Collection<Task> tasks) {
        Set<Integer> out = new TreeSet<>();
        for (Task task : tasks) {
            ModelSpec spec = catalog.model(task.model());
            for (String unit : unitTasks(spec, task.outputs())) {
                Integer d = deploymentOfTask.get(unit);
                if (d == null) {
                    throw new IllegalArgumentException("a task on " + task.model() + " needs unit task " + unit
                            + ", which no deployment of plan '" + plan.plan().name() + "' serves");
                }
                out.add(d);
            }
        }
        return out;
    }

    /**
     * The unit tasks a request to {@code spec} asking for {@code outputs} can touch, with the LLM split into its
     * prefill and decode tasks where the plan deploys it that way.
     */
    private List<String> unitTasks(ModelSpec spec, Set<Modality> outputs) {
        boolean split = spec.unitTasks(true).stream().anyMatch(t -> deploymentOfTask.containsKey(t.id())
                && !deploymentOfTask.containsKey(UnitTask.whole(spec.name(), t.component()).id()));
        RequestGraph graph = new CompositeTask(spec).structure(split, outputs);
        List<String> out = new ArrayList<>();
        for (TaskNode n : graph.taskNodes()) {
            out.add(n.taskId());
        }
        return out;
    }
}
