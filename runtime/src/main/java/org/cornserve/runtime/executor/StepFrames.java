package org.cornserve.runtime.executor;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * A compact binary form for the frames of every step and invocation: {@link ExecutorCommand.RunStep},
 * {@link ExecutorCommand.Open}, {@link ExecutorCommand.Cut}, {@link ExecutorCommand.Close}, {@link
 * ExecutorCommand.StreamStates} (a thinker's chunk for its talker, once per thinker step of a spoken answer) one way and
 * {@link ExecutorReport.StepDone} the other. They go back and forth once per scheduler step or invocation, so their
 * encoding sits on the dispatch path; JSON through Jackson cost tens to hundreds of
 * microseconds a frame at each end while the JIT had not compiled it (a served deployment steps a few hundred times a
 * second at most, so it rarely gets there). Everything else stays JSON.
 *
 * <p>A binary frame's body starts with a tag byte below {@code '{'} (a JSON body starts with {@code '{'}), then
 * big-endian fields in record order: strings as an int byte length (-1: null) and UTF-8, lists as an int count and their items,
 * a nullable field as a boolean then the value.
 */
final class StepFrames {
    static final byte RUN_STEP = 1;
    static final byte CUT = 2;
    static final byte CLOSE = 3;
    static final byte STEP_DONE = 4;
    static final byte OPEN = 5;
    static final byte STREAM_STATES = 6;
    private static final ExecutorCommand.ItemKind[] KINDS = ExecutorCommand.ItemKind.values();

    private StepFrames() {
    }

    /** Whether {@code message} has a binary form. */
    static boolean binary(Object message) {
        return message instanceof ExecutorCommand.RunStep || message instanceof ExecutorCommand.Cut
                || message instanceof ExecutorCommand.Close || message instanceof ExecutorReport.StepDone
                || message instanceof ExecutorCommand.Open || message instanceof ExecutorCommand.StreamStates;
    }

    /** Whether a frame body is binary (else JSON). */
    static boolean isBinary(byte[] body) {
        return body.length > 0 && body[0] >= RUN_STEP && body[0] <= STREAM_STATES;
    }

    /** Writes {@code message}'s body; only for messages {@link #binary} accepts. */
    static void write(Object message, DataOutputStream out) throws IOException {
        switch (message) {
            case ExecutorCommand.RunStep s -> {
                out.writeByte(RUN_STEP);
                out.writeLong(s.step());
                string(s.task(), out);
                out.writeInt(s.items().size());
                for (ExecutorCommand.StepItem item : s.items()) {
                    out.writeLong(item.invocation());
                    out.writeByte(item.kind().ordinal());
                    out.writeLong(item.start());
                    out.writeLong(item.tokens());
                }
                out.writeLong(s.iterations());
            }
            case ExecutorCommand.Cut c -> {
                out.writeByte(CUT);
                out.writeLong(c.step());
            }
            case ExecutorCommand.Close c -> {
                out.writeByte(CLOSE);
                out.writeInt(c.invocations().size());
                for (long inv : c.invocations()) {
                    out.writeLong(inv);
                }
            }
            case ExecutorReport.StepDone d -> {
                out.writeByte(STEP_DONE);
                out.writeLong(d.step());
                out.writeLong(d.iterations());
                out.writeInt(d.emitted().size());
                for (ExecutorReport.Emitted e : d.emitted()) {
                    out.writeLong(e.invocation());
                    ints(e.tokens(), out);
                }
                out.writeInt(d.ended().size());
                for (ExecutorReport.Ended e : d.ended()) {
                    out.writeLong(e.invocation());
                    string(e.reason(), out);
                    out.writeInt(e.generated());
                }
                out.writeInt(d.outputs().size());
                for (ExecutorReport.Output o : d.outputs()) {
                    out.writeLong(o.invocation());
                    tensor(o.tensor(), out);
                    tensor(o.controlCopy(), out);
                    out.writeBoolean(o.partial());
                }
                out.writeBoolean(d.failure() != null);
                if (d.failure() != null) {
                    string(d.failure().stage(), out);
                    string(d.failure().message(), out);
                }
                out.writeLong(d.computeNanos());
                out.writeLong(d.computeStartNanos());
            }
            case ExecutorCommand.Open o -> {
                out.writeByte(OPEN);
                out.writeLong(o.invocation());
                string(o.task(), out);
                ints(o.tokens(), out);
                out.writeInt(o.inputs().size());
                for (TensorRef ref : o.inputs()) {
                    tensor(ref, out);
                }
                ints(o.dims(), out);
                out.writeInt(o.maxTokens());
                out.writeDouble(o.temperature());
                out.writeLong(o.seed());
                out.writeBoolean(o.keepHidden());
                out.writeInt(o.outputConsumers());
                string(o.controlCopyTo(), out);
                string(o.fetchFrom(), out);
                out.writeInt(o.fetchCount());
                out.writeInt(o.streamChunkTokens());
            }
            case ExecutorCommand.StreamStates m -> {
                out.writeByte(STREAM_STATES);
                out.writeLong(m.invocation());
                tensor(m.states(), out);
                out.writeBoolean(m.last());
                out.writeInt(m.maxTokens());
            }
            default -> throw new IllegalArgumentException("no binary frame for " + message.getClass().getSimpleName());
        }
    }

    /**
     * Reads a binary body.
     *
     * @throws IOException naming the frame when it is truncated, has trailing bytes or holds a value out of range
     */
    static Object read(byte[] body) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte tag = in.get();
        try {
            Object message = switch (tag) {
                case RUN_STEP -> {
                    long step = in.getLong();
                    String task = string(in);
                    int n = count(in, 25);
                    List<ExecutorCommand.StepItem> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        long inv = in.getLong();
                        int kind = in.get();
                        if (kind < 0 || kind >= KINDS.length) {
                            throw new IOException("item " + i + " has kind " + kind + ", not 0.." + (KINDS.length - 1));
                        }
                        items.add(new ExecutorCommand.StepItem(inv, KINDS[kind], in.getLong(), in.getLong()));
                    }
                    yield new ExecutorCommand.RunStep(step, task, items, in.getLong());
                }
                case CUT -> new ExecutorCommand.Cut(in.getLong());
                case CLOSE -> {
                    int n = count(in, 8);
                    List<Long> invocations = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        invocations.add(in.getLong());
                    }
                    yield new ExecutorCommand.Close(invocations);
                }
                case STEP_DONE -> stepDone(in);
                case OPEN -> {
                    long invocation = in.getLong();
                    String task = string(in);
                    int[] tokens = ints(in);
                    int n = count(in, 1);
                    List<TensorRef> inputs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        inputs.add(tensor(in));
                    }
                    yield new ExecutorCommand.Open(invocation, task, tokens, inputs, ints(in), in.getInt(),
                            in.getDouble(), in.getLong(), in.get() != 0, in.getInt(), string(in), string(in),
                            in.getInt(), in.getInt());
                }
                case STREAM_STATES -> new ExecutorCommand.StreamStates(in.getLong(), tensor(in), in.get() != 0,
                        in.getInt());
                default -> throw new IOException("unknown tag " + tag);
            };
            if (in.hasRemaining()) {
                throw new IOException(in.remaining() + " bytes left after the message");
            }
            return message;
        } catch (BufferUnderflowException e) {
            throw new IOException("binary frame (tag " + tag + ", " + body.length + " bytes) is truncated", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("binary frame (tag " + tag + ", " + body.length + " bytes): " + e.getMessage(), e);
        }
    }

    private static ExecutorReport.StepDone stepDone(ByteBuffer in) throws IOException {
        long step = in.getLong();
        long iterations = in.getLong();
        int n = count(in, 12);
        List<ExecutorReport.Emitted> emitted = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            emitted.add(new ExecutorReport.Emitted(in.getLong(), ints(in)));
        }
        n = count(in, 16);
        List<ExecutorReport.Ended> ended = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ended.add(new ExecutorReport.Ended(in.getLong(), string(in), in.getInt()));
        }
        n = count(in, 11);
        List<ExecutorReport.Output> outputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outputs.add(new ExecutorReport.Output(in.getLong(), tensor(in), tensor(in), in.get() != 0));
        }
        ExecutorReport.Failure failure = in.get() != 0 ? new ExecutorReport.Failure(string(in), string(in)) : null;
        long computeNanos = in.getLong();
        return new ExecutorReport.StepDone(step, iterations, emitted, ended, outputs, failure, computeNanos,
                in.getLong());
    }

    /** A count of items of at least {@code minBytes} each, checked against the bytes left. */
    private static int count(ByteBuffer in, int minBytes) throws IOException {
        int n = in.getInt();
        if (n < 0 || (long) n * minBytes > in.remaining()) {
            throw new IOException("a count of " + n + " does not fit the " + in.remaining() + " bytes left");
        }
        return n;
    }

    private static void string(String s, DataOutputStream out) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(ByteBuffer in) throws IOException {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.remaining()) {
            throw new IOException("a string of " + n + " bytes does not fit the " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void ints(int[] values, DataOutputStream out) throws IOException {
        out.writeInt(values.length);
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static int[] ints(ByteBuffer in) throws IOException {
        int[] values = new int[count(in, 4)];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.getInt();
        }
        return values;
    }

    private static void tensor(TensorRef ref, DataOutputStream out) throws IOException {
        out.writeBoolean(ref != null);
        if (ref != null) {
            string(ref.segment(), out);
            out.writeLong(ref.generation());
            out.writeLong(ref.bytes());
        }
    }

    private static TensorRef tensor(ByteBuffer in) throws IOException {
        return in.get() == 0 ? null : new TensorRef(string(in), in.getLong(), in.getLong());
    }
}
