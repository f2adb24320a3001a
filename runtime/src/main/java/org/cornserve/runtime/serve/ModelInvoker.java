package org.cornserve.runtime.serve;

import java.util.List;

/**
 * The seam between the runtime's front end (gateway, apps, OpenAI-style endpoint) and its back end (control
 * plane: dispatcher, task managers, executors, sidecar). An app or the chat endpoint turns a client request into a
 * {@link ModelRequest} and hands it here; the back end builds the request's invocation graph, runs it through the
 * shared scheduling core on the plan's executors, and streams what it produces to the {@link OutputSink}.
 *
 * <p>Implementations are thread-safe: {@link #invoke} is called from many HTTP threads at once, and the sink is
 * called from the back end's threads.
 */
public interface ModelInvoker extends AutoCloseable {

    /** The model ids this invoker serves (catalog ids such as {@code tiny-omni}). */
    List<String> models();

    /**
     * The models of {@link #models} that can answer right now (the control plane: those with a deployment that has a
     * replica up; a model whose deployments are not deployed, still starting or all down is left out). By default,
     * all of them.
     */
    default List<String> servedModels() {
        return models();
    }

    /**
     * Starts one request and returns at once. Exactly one of {@link OutputSink#completed} or
     * {@link OutputSink#failed} is called in the end, after any {@code text}, {@code audio} and {@code image} calls.
     * A request refused at admission fails at once with status 429 or 503.
     */
    InvocationHandle invoke(ModelRequest request, OutputSink sink);

    /** Stops everything this invoker started (executors, shared-memory files). */
    @Override
    void close();
}
