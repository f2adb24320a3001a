package org.cornserve.planner.schedule.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.Modality;
import org.cornserve.model.graph.Flow;
import org.cornserve.model.graph.FlowKind;
import org.cornserve.model.graph.RequestGraph;
import org.cornserve.model.graph.TaskNode;
import org.cornserve.model.graph.TaskWork;
import org.cornserve.model.task.LlmPhase;
import org.cornserve.model.task.UnitTaskKind;

/**
 * Turns the model's per-request task graph ({@link RequestGraph}, built by a composite task from the request's
 * shape) into the scheduler core's {@link InvocationGraph}: one invocation per task node (input and output nodes
 * dropped), one data edge per flow between task nodes, with the flow's bytes.
 *
 * <p>Work, per task kind ({@link TaskWork} conventions):
 * <ul>
 *   <li>encoder: {@code items} items of {@code inputTokens} positions, batched with its modality (a vision
 *       encoder's as images, an audio encoder's as audio);</li>
 *   <li>LLM or talker, whole: prefill {@code inputTokens}, generate up to the request's {@code max_tokens};
 *       prefill phase: the first token (cap 1); decode phase: the KV cache of {@code inputTokens} arrives, and
 *       it generates up to the cap (a decode node with none left is dropped and its outgoing flows start at
 *       the prefill node: it is queued only after prefill ends, when a live dispatcher knows the first token
 *       was the last). The shape's {@code outputTokens} (the trace's answer) become the graph's trace output
 *       lengths, which a simulated engine turns into end-of-sequence facts; the core never reads them;</li>
 *   <li>generator: a job of {@code outputTokens} latent tokens over {@code steps} steps;</li>
 *   <li>vocoder: {@code inputTokens} codec frames; VAE decoder: {@code inputTokens} latent pixels.</li>
 * </ul>
 * A task node flowing into the graph's output produces the response; a prefill node whose decode node does
 * also counts (its first token is the first output).
 */
public final class RequestGraphs {
    private RequestGraphs() {
    }

    /** The invocation graph of one request, without a speech description. O(nodes + flows). */
    public static InvocationGraph toInvocations(RequestGraph graph) {
        return toInvocations(graph, 0);
    }

    /**
     * The invocation graph of one request; when {@code sampleRateHz > 0} and a vocoder produces part of the
     * response, the graph also describes its speech ({@link InvocationGraph#withSpeech}): the vocoder's
     * {@code outputTokens} waveform samples over the sample rate give the audio's duration, and the talker (or
     * other LLM-like node) feeding the vocoder is the stream whose first token is the first audio.
     *
     * @param sampleRateHz the model's vocoder sample rate ({@code Vocoder.sampleRateHz()}), 0 to leave speech out
     */
    public static InvocationGraph toInvocations(RequestGraph graph, int sampleRateHz) {
        return toInvocations(graph, sampleRateHz, Work.UNCAPPED);
    }

    /**
     * The invocation graph of one request whose client caps generation at {@code maxTokens} ({@link Work#UNCAPPED}
     * for none). The LLM invocations' {@link Work} carries only the cap; the request shape's output lengths become
     * the graph's trace output lengths, which only a simulated engine reads.
     */
    public static InvocationGraph toInvocations(RequestGraph graph, int sampleRateHz, long maxTokens) {
        return toInvocations(graph, sampleRateHz, maxTokens, 0);
    }

    /**
     * The invocation graph of one request whose thinker streams its hidden states to the talker in chunks of
     * {@code streamChunkTokens} generated tokens (0: the whole answer is handed over when the thinker ends). Each
     * hidden-states flow from a token-generating node into a talker becomes a streamed {@link DataEdge}: its first
     * chunk carries the positions computed by then (the prompt's and {@code min(chunk, answer)} generated ones, at
     * the flow's bytes per position), and the talker's prompt is those positions (the later ones reach it one per
     * generated token, as Qwen2.5-Omni's talker adds each thinker position's hidden state to its input embedding,
     * so they add no prompt positions).
     */
    public static InvocationGraph toInvocations(RequestGraph graph, int sampleRateHz, long maxTokens,
            int streamChunkTokens) {
        if (streamChunkTokens < 0) {
            throw new IllegalArgumentException("stream chunk must be >= 0 tokens, got " + streamChunkTokens);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
        if (sampleRateHz < 0) {
            throw new IllegalArgumentException("sample rate must be >= 0 Hz, got " + sampleRateHz);
        }
        List<TaskNode> tasks = graph.taskNodes();
        Map<String, Integer> index = new HashMap<>();
        Map<String, String> redirect = new HashMap<>();
        List<TaskNode> kept = new ArrayList<>();
        for (TaskNode n : tasks) {
            if (n.phase() == LlmPhase.DECODE && n.work().outputTokens() == 0) {
                String prefill = graph.predecessors(n.name()).stream()
                        .filter(p -> graph.node(p).phase() == LlmPhase.PREFILL).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("request graph of " + graph.model()
                                + ": decode node " + n.name() + " has no prefill node before it"));
                redirect.put(n.name(), prefill);
                continue;
            }
            index.put(n.name(), kept.size());
            kept.add(n);
        }
        boolean[] output = new boolean[kept.size()];
        List<DataEdge> edges = new ArrayList<>();
        Map<Integer, Long> streamedPrompt = new HashMap<>();
        for (Flow f : graph.flows()) {
            String source = redirect.getOrDefault(f.source(), f.source());
            if (redirect.containsKey(f.target())) {
                continue;
            }
            Integer from = index.get(source);
            if (from == null) {
                continue;
            }
            if (f.target().equals(TaskNode.OUTPUT)) {
                output[from] = true;
                continue;
            }
            Integer to = index.get(f.target());
            if (to != null && !to.equals(from)) {
                long generated = traceOutputTokens(kept.get(from));
                if (streamChunkTokens > 0 && f.kind() == FlowKind.HIDDEN_STATES && generated > 0
                        && kept.get(to).kind() == UnitTaskKind.TALKER && f.elements() >= generated) {
                    long positions = f.elements() - generated + Math.min(streamChunkTokens, generated);
                    streamedPrompt.put(to, positions);
                    edges.add(DataEdge.streamed(from, to, f.bytes(), streamChunkTokens,
                            f.bytes() / f.elements() * positions));
                } else {
                    edges.add(new DataEdge(from, to, f.bytes()));
                }
            }
        }
        for (DataEdge e : edges) {
            if (kept.get(e.from()).phase() == LlmPhase.PREFILL && kept.get(e.to()).phase() == LlmPhase.DECODE
                    && output[e.to()]) {
                output[e.from()] = true;
            }
        }
        List<Invocation> nodes = new ArrayList<>(kept.size());
        long[] generates = new long[kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            Work w = work(kept.get(i), maxTokens);
            Long streamed = streamedPrompt.get(i);
            if (streamed != null) {
                w = Work.llm(streamed, maxTokens);
            }
            nodes.add(new Invocation(kept.get(i).taskId(), w, output[i]));
            generates[i] = traceOutputTokens(kept.get(i));
        }
        InvocationGraph result = InvocationGraph.of(nodes, edges, generates);
        if (sampleRateHz == 0) {
            return result;
        }
        for (int i = 0; i < kept.size(); i++) {
            TaskNode n = kept.get(i);
            if (n.kind() == UnitTaskKind.VOCODER && output[i] && n.work().outputTokens() > 0) {
                int source = -1;
                for (DataEdge e : edges) {
                    if (e.to() == i && generates[e.from()] > 0) {
                        source = e.from();
                    }
                }
                return result.withSpeech(i, source, (double) n.work().outputTokens() / sampleRateHz);
            }
        }
        return result;
    }

    /** The tokens a task node generates by the request shape (LLMs and talkers; 0 for other kinds). */
    static long traceOutputTokens(TaskNode n) {
        return switch (n.kind()) {
            case LLM, TALKER -> switch (n.phase()) {
                case WHOLE -> n.work().outputTokens();
                case PREFILL -> 1;
                case DECODE -> n.work().outputTokens() + 1;
            };
            default -> 0;
        };
    }

    /** The scheduler's work of one task node, with generation capped at {@code maxTokens}. */
    static Work work(TaskNode n, long maxTokens) {
        TaskWork w = n.work();
        int items = Math.max(1, w.items());
        return switch (n.kind()) {
            case ENCODER -> Work.batch(n.name().startsWith("audio") ? Modality.AUDIO : Modality.IMAGE, items,
                    w.inputTokens());
            case LLM, TALKER -> switch (n.phase()) {
                case WHOLE, DECODE -> Work.llm(w.inputTokens(), maxTokens);
                case PREFILL -> Work.llm(w.inputTokens(), 1);
            };
            case GENERATOR -> Work.diffusion(w.outputTokens(), Math.max(1, w.steps()));
            case VOCODER -> Work.batch(Modality.AUDIO, items, w.inputTokens());
            case VAE_DECODER -> Work.batch(Modality.IMAGE, items, w.inputTokens());
        };
    }
}
