package org.cornserve.runtime.executor;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import org.cornserve.runtime.sidecar.TensorRef;

/** What the control plane asks of an executor, one frame each ({@link FrameChannel}). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ExecutorCommand.Open.class, name = "open"),
        @JsonSubTypes.Type(value = ExecutorCommand.RunStep.class, name = "step"),
        @JsonSubTypes.Type(value = ExecutorCommand.Cut.class, name = "cut"),
        @JsonSubTypes.Type(value = ExecutorCommand.Close.class, name = "close"),
        @JsonSubTypes.Type(value = ExecutorCommand.Forward.class, name = "forward"),
        @JsonSubTypes.Type(value = ExecutorCommand.StreamStates.class, name = "stream-states"),
        @JsonSubTypes.Type(value = ExecutorCommand.Shutdown.class, name = "shutdown")})
public sealed interface ExecutorCommand {

    /**
     * An invocation's inputs are ready: the executor reads them (from the sidecar) and keeps the invocation's state
     * until it ends or is closed.
     *
     * @param invocation the invocation's id, unique within the runtime
     * @param task the unit task it calls (a task key the executor hosts)
     * @param tokens LLM-like tasks: the prompt's token ids, placeholders where embeddings go; else empty
     * @param inputs tensors in the sidecar, in order (embeddings in prompt order, hidden states, codes, a latent,
     *     preprocessed pixels or samples); each is released once read
     * @param dims per-task sizes: a vision input's height and width, a diffusion job's latent height and width
     * @param maxTokens LLM-like tasks: tokens (codes) to generate at most
     * @param temperature sampling temperature, 0 for greedy
     * @param seed sampling and noise seed
     * @param keepHidden an LLM hands its hidden states on (to a talker)
     * @param outputConsumers readers of the invocation's output tensor (0: no tensor output)
     * @param controlCopyTo null when the control plane reads the output (a WAV, a PNG) from this host's shared
     *     memory; else the control plane's sidecar stream ({@code host:port}, host {@code *}: the host this executor
     *     reaches the control plane at), where the executor streams the output before it reports the step
     * @param fetchFrom null when every input is in this host's shared memory; else a sidecar stream ({@code
     *     host:port}, host {@code *} as above) holding the first {@code fetchCount} inputs (a request's media, placed
     *     by the control plane), which the executor fetches into its own memory before it opens the invocation
     * @param fetchCount how many of the inputs, from the first, {@code fetchFrom} holds
     * @param streamChunkTokens 0, or hidden states stream in chunks of this many generated tokens: an LLM that keeps
     *     its hidden states (a thinker) hands them on as it computes them ({@link ExecutorReport.Output#partial()})
     *     besides the rest at its end; a talker takes more of its input states by {@link StreamStates} until the last
     */
    record Open(long invocation, String task, int[] tokens, List<TensorRef> inputs, int[] dims, int maxTokens,
            double temperature, long seed, boolean keepHidden, int outputConsumers, String controlCopyTo,
            String fetchFrom, int fetchCount, int streamChunkTokens) implements ExecutorCommand {
        public Open {
            if (streamChunkTokens < 0) {
                throw new IllegalArgumentException("invocation " + invocation + ": stream chunk of "
                        + streamChunkTokens + " tokens");
            }
            tokens = tokens == null ? new int[0] : tokens;
            inputs = inputs == null ? List.of() : List.copyOf(inputs);
            dims = dims == null ? new int[0] : dims;
            if (fetchCount < 0 || fetchCount > inputs.size() || fetchCount > 0 && fetchFrom == null) {
                throw new IllegalArgumentException("invocation " + invocation + ": " + fetchCount + " of "
                        + inputs.size() + " inputs to fetch from " + fetchFrom);
            }
        }

        /** The same invocation reading {@code local} inputs, all in this host's memory. */
        public Open withLocalInputs(List<TensorRef> local) {
            return new Open(invocation, task, tokens, local, dims, maxTokens, temperature, seed, keepHidden,
                    outputConsumers, controlCopyTo, null, 0, streamChunkTokens);
        }

        /** Nothing streams. */
        public Open(long invocation, String task, int[] tokens, List<TensorRef> inputs, int[] dims, int maxTokens,
                double temperature, long seed, boolean keepHidden, int outputConsumers, String controlCopyTo,
                String fetchFrom, int fetchCount) {
            this(invocation, task, tokens, inputs, dims, maxTokens, temperature, seed, keepHidden, outputConsumers,
                    controlCopyTo, fetchFrom, fetchCount, 0);
        }

        /** Outputs, if any, stay in this host's shared memory. */
        public Open(long invocation, String task, int[] tokens, List<TensorRef> inputs, int[] dims, int maxTokens,
                double temperature, long seed, boolean keepHidden, int outputConsumers) {
            this(invocation, task, tokens, inputs, dims, maxTokens, temperature, seed, keepHidden, outputConsumers,
                    null, null, 0);
        }
    }

    /**
     * Stream a tensor this executor produced to a consumer's sidecar on another host, release the local reference
     * the consumer stood for, and answer {@link ExecutorReport.Forwarded}. Runs beside the steps, not between them.
     *
     * @param transfer the control plane's id for the move
     * @param tensor the tensor in this executor's shared memory
     * @param to the consumer's sidecar stream, {@code host:port}
     */
    record Forward(long transfer, TensorRef tensor, String to) implements ExecutorCommand {
    }

    /**
     * More input states of an open invocation whose input streams ({@link Open#streamChunkTokens()} on a talker): the
     * producer's next rows, in order, as it computed them; the last also says how many tokens (codes) the invocation
     * generates in all, now that its producer's answer is known. Unknown invocations (ended at their cap, closed)
     * only release the tensor.
     *
     * @param invocation the consumer's invocation
     * @param states the rows in the sidecar (null: none came with this message)
     * @param last the producer has finished: no more rows come
     * @param maxTokens with {@code last}: tokens (codes) to generate in all, within the cap it was opened with
     */
    record StreamStates(long invocation, TensorRef states, boolean last, int maxTokens) implements ExecutorCommand {
    }

    /**
     * Run one step of a task as the scheduler planned it.
     *
     * @param step the step's id
     * @param task the unit task
     * @param items what the step computes, invocation by invocation
     * @param iterations iterations planned; a multi-iteration run stops early at a {@link Cut} or when a sequence
     *     ends
     */
    record RunStep(long step, String task, List<StepItem> items, long iterations) implements ExecutorCommand {
        public RunStep {
            items = List.copyOf(items);
        }
    }

    /** Stop the running multi-iteration step at its next iteration boundary. */
    record Cut(long step) implements ExecutorCommand {
    }

    /** Forget invocations (cancelled, failed elsewhere, or finished): their KV blocks and state are freed. */
    record Close(List<Long> invocations) implements ExecutorCommand {
        public Close {
            invocations = List.copyOf(invocations);
        }
    }

    /** Stop the process. */
    record Shutdown() implements ExecutorCommand {
    }

    /**
     * One member of a step.
     *
     * @param invocation the invocation
     * @param kind what it does in this step
     * @param start a prefill chunk's first position
     * @param tokens a prefill chunk's length
     */
    record StepItem(long invocation, ItemKind kind, long start, long tokens) {
    }

    /** What a step member does. */
    enum ItemKind {
        /** one item of a single-pass batch (encoder, vocoder, VAE decoder) */
        BATCH,
        /** a chunk of an LLM prompt */
        PREFILL,
        /** one LLM decode token */
        DECODE,
        /** one denoising step of a diffusion job */
        DIFFUSE,
        /**
         * a whole LLM prompt's keys and values written without computing them, and a first token taken as if
         * sampled: the profiler's decode contexts (a decode iteration's cost depends on how many positions it
         * attends to, not on their values), which a real prefill of every context sequence made most of the
         * profile's time. Never planned by the scheduler.
         */
        FILL
    }
}
