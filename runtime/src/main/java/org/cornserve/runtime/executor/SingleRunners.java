package org.cornserve.runtime.executor;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.audio.AudioEncoder;
import org.cornserve.runtime.engine.audio.Vocoder;
import org.cornserve.runtime.engine.image.DiffusionTransformer;
import org.cornserve.runtime.engine.image.VaeDecoder;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.engine.tensor.TensorSink;
import org.cornserve.runtime.engine.vision.ImageInput;
import org.cornserve.runtime.engine.vision.VisionEncoder;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.cornserve.runtime.sidecar.WritableTensor;

/**
 * The single-pass tasks (vision and audio encoders, vocoder, VAE decoder) and the diffusion transformer: each open
 * invocation holds its inputs read from the sidecar; a batch step computes every member and places each output in
 * the sidecar for its consumers. The encoders write their embeddings in place: each invocation's output segment is
 * allocated before the batch runs and the engine's last projection stores its rows straight into it.
 */
final class SingleRunners {
    private SingleRunners() {
    }

    /** Shared bookkeeping: inputs read at open, outputs written after a batch. */
    abstract static class Base<S> implements TaskRunner {
        final String task;
        final SharedMemorySidecar sidecar;
        final Map<Long, S> state = new HashMap<>();
        final Map<Long, Integer> consumers = new HashMap<>();

        Base(String task, SharedMemorySidecar sidecar) {
            this.task = task;
            this.sidecar = sidecar;
        }

        @Override
        public String task() {
            return task;
        }

        @Override
        public void open(ExecutorCommand.Open open) {
            state.put(open.invocation(), read(open));
            consumers.put(open.invocation(), open.outputConsumers());
            for (TensorRef ref : open.inputs()) {
                sidecar.release(ref);
            }
        }

        abstract S read(ExecutorCommand.Open open);

        @Override
        public void close(long invocation) {
            state.remove(invocation);
            consumers.remove(invocation);
        }

        @Override
        public int open() {
            return state.size();
        }

        S require(long invocation) {
            S s = state.get(invocation);
            if (s == null) {
                throw new IllegalStateException(task + ": step names invocation " + invocation + ", which is not open");
            }
            return s;
        }

        void finish(long invocation, TensorRef ref, StepOutcome out) {
            if (ref != null) {
                out.output(invocation, ref);
            }
            out.end(invocation, "done", 0);
            close(invocation);
        }

        int consumersOf(long invocation) {
            return consumers.getOrDefault(invocation, 0);
        }
    }

    /** A batch task: every member computed together, one output each. */
    abstract static class Batch<S> extends Base<S> {
        Batch(String task, SharedMemorySidecar sidecar) {
            super(task, sidecar);
        }

        @Override
        public void step(ExecutorCommand.RunStep step, StepOutcome out, BooleanSupplier cut) {
            List<Long> ids = new ArrayList<>();
            List<S> inputs = new ArrayList<>();
            for (ExecutorCommand.StepItem item : step.items()) {
                ids.add(item.invocation());
                inputs.add(require(item.invocation()));
            }
            List<TensorRef> refs = compute(ids, inputs);
            for (int i = 0; i < ids.size(); i++) {
                finish(ids.get(i), refs.get(i), out);
            }
            out.iterationDone();
        }

        abstract List<TensorRef> compute(List<Long> ids, List<S> inputs);

        /**
         * Runs {@code encode} with every output written in place: invocation {@code i}'s items (rows
         * {@code itemRows[i][j]} of {@code width} floats each) go, in order, into one segment allocated for its
         * consumers (a heap buffer for an invocation without any), then each segment is published; when the engine
         * fails, every segment not published yet is freed.
         */
        List<TensorRef> encodeInPlace(List<Long> ids, int[][] itemRows, int width, Consumer<List<TensorSink>> encode) {
            List<WritableTensor> outs = new ArrayList<>(ids.size());
            try {
                List<TensorSink> sinks = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    long total = 0;
                    for (int rows : itemRows[i]) {
                        total += (long) rows * width;
                    }
                    int c = consumersOf(ids.get(i));
                    WritableTensor out = c == 0 ? null : sidecar.allocateFloats(Math.toIntExact(total), c);
                    outs.add(out);
                    FloatBuffer floats = out == null ? FloatBuffer.allocate(Math.toIntExact(total)) : out.floats();
                    int at = 0;
                    for (int rows : itemRows[i]) {
                        sinks.add(new TensorSink(floats, at));
                        at += rows * width;
                    }
                }
                encode.accept(sinks);
                List<TensorRef> refs = new ArrayList<>(ids.size());
                for (WritableTensor out : outs) {
                    refs.add(out == null ? null : out.publish());
                }
                return refs;
            } finally {
                for (WritableTensor out : outs) {
                    if (out != null) {
                        out.close(); // frees it unless published
                    }
                }
            }
        }

        TensorRef putBytes(long invocation, byte[] data) {
            int c = consumersOf(invocation);
            return c == 0 ? null : sidecar.putBytes(data, c);
        }
    }

    /** Vision encoder: inputs are preprocessed images (pixels, height and width in dims); output embeddings. */
    static final class Vision extends Batch<List<ImageInput>> {
        private final VisionEncoder encoder;

        Vision(String task, SharedMemorySidecar sidecar, VisionEncoder encoder) {
            super(task, sidecar);
            this.encoder = encoder;
        }

        @Override
        List<ImageInput> read(ExecutorCommand.Open open) {
            if (open.dims().length != 2 * open.inputs().size()) {
                throw new IllegalArgumentException(task + ": " + open.inputs().size() + " images need "
                        + 2 * open.inputs().size() + " dims (height, width each), got " + open.dims().length);
            }
            List<ImageInput> images = new ArrayList<>();
            for (int i = 0; i < open.inputs().size(); i++) {
                images.add(new ImageInput(open.dims()[2 * i], open.dims()[2 * i + 1],
                        sidecar.readFloats(open.inputs().get(i))));
            }
            return images;
        }

        @Override
        List<TensorRef> compute(List<Long> ids, List<List<ImageInput>> inputs) {
            List<ImageInput> all = new ArrayList<>();
            int[][] rows = new int[ids.size()][];
            for (int i = 0; i < ids.size(); i++) {
                all.addAll(inputs.get(i));
                rows[i] = inputs.get(i).stream().mapToInt(encoder::tokens).toArray();
            }
            return encodeInPlace(ids, rows, encoder.config().outHidden(), sinks -> encoder.encode(all, sinks));
        }

        @Override
        public void warmUp() {
            int side = TinyModels.VISION.tokenSide();
            encoder.encode(List.of(new ImageInput(2 * side, 2 * side, new float[4 * side * side * 3])));
        }
    }

    /** Audio encoder: inputs are clips resampled to the encoder's rate; output embeddings. */
    static final class Audio extends Batch<List<float[]>> {
        private final AudioEncoder encoder;

        Audio(String task, SharedMemorySidecar sidecar, AudioEncoder encoder) {
            super(task, sidecar);
            this.encoder = encoder;
        }

        @Override
        List<float[]> read(ExecutorCommand.Open open) {
            List<float[]> clips = new ArrayList<>();
            for (TensorRef ref : open.inputs()) {
                clips.add(sidecar.readFloats(ref));
            }
            return clips;
        }

        @Override
        List<TensorRef> compute(List<Long> ids, List<List<float[]>> inputs) {
            List<float[]> all = new ArrayList<>();
            int[][] rows = new int[ids.size()][];
            for (int i = 0; i < ids.size(); i++) {
                all.addAll(inputs.get(i));
                rows[i] = inputs.get(i).stream().mapToInt(clip -> encoder.config().tokens(clip.length)).toArray();
            }
            return encodeInPlace(ids, rows, encoder.config().outHidden(), sinks -> encoder.encode(all, sinks));
        }

        @Override
        public void warmUp() {
            encoder.encode(List.of(new float[encoder.config().sampleRate()]));
        }
    }

    /** Vocoder: input codec codes; output a WAV file's bytes. */
    static final class Voc extends Batch<int[]> {
        private final Vocoder vocoder;

        Voc(String task, SharedMemorySidecar sidecar, Vocoder vocoder) {
            super(task, sidecar);
            this.vocoder = vocoder;
        }

        @Override
        int[] read(ExecutorCommand.Open open) {
            return sidecar.readInts(open.inputs().get(0));
        }

        @Override
        List<TensorRef> compute(List<Long> ids, List<int[]> inputs) {
            List<float[]> waves = vocoder.synthesize(inputs);
            List<TensorRef> refs = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                refs.add(putBytes(ids.get(i), WavFiles.toBytes(waves.get(i), vocoder.config().sampleRate())));
            }
            return refs;
        }

        @Override
        public void warmUp() {
            vocoder.synthesize(List.of(new int[] {1, 2, 3, 4}));
        }
    }

    /** VAE decoder: input a latent (height and width in dims); output a PNG file's bytes. */
    static final class Vae extends Batch<float[]> {
        private final VaeDecoder vae;
        private final Map<Long, int[]> dims = new HashMap<>();

        Vae(String task, SharedMemorySidecar sidecar, VaeDecoder vae) {
            super(task, sidecar);
            this.vae = vae;
        }

        @Override
        float[] read(ExecutorCommand.Open open) {
            if (open.dims().length != 2) {
                throw new IllegalArgumentException(task + ": a latent needs dims (height, width)");
            }
            dims.put(open.invocation(), open.dims());
            return sidecar.readFloats(open.inputs().get(0));
        }

        @Override
        public void close(long invocation) {
            super.close(invocation);
            dims.remove(invocation);
        }

        @Override
        List<TensorRef> compute(List<Long> ids, List<float[]> inputs) {
            List<TensorRef> refs = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                int[] d = dims.get(ids.get(i));
                float[] rgb = vae.decode(inputs.get(i), d[0], d[1]);
                int s = vae.config().scale();
                refs.add(putBytes(ids.get(i), ImageFiles.pngBytes(rgb, d[0] * s, d[1] * s)));
            }
            return refs;
        }

        @Override
        public void warmUp() {
            vae.decode(new float[4 * 4 * vae.config().latentChannels()], 4, 4);
        }
    }

    /** Diffusion transformer: one job per invocation, advanced one denoising step per iteration. */
    static final class Diffusion extends Base<DiffusionTransformer.Job> {
        private final DiffusionTransformer dit;
        private final int textHidden;

        Diffusion(String task, SharedMemorySidecar sidecar, DiffusionTransformer dit, int textHidden) {
            super(task, sidecar);
            this.dit = dit;
            this.textHidden = textHidden;
        }

        @Override
        DiffusionTransformer.Job read(ExecutorCommand.Open open) {
            if (open.dims().length != 2) {
                throw new IllegalArgumentException(task + ": a diffusion job needs dims (latent height, width)");
            }
            float[] text = sidecar.readFloats(open.inputs().get(0));
            return dit.start(text, text.length / textHidden, open.dims()[0], open.dims()[1], open.seed());
        }

        @Override
        public void step(ExecutorCommand.RunStep step, StepOutcome out, BooleanSupplier cut) {
            List<Long> ids = new ArrayList<>();
            for (ExecutorCommand.StepItem item : step.items()) {
                require(item.invocation());
                ids.add(item.invocation());
            }
            for (long it = 0; it < step.iterations(); it++) {
                boolean ended = false;
                for (long id : ids) {
                    DiffusionTransformer.Job job = state.get(id);
                    if (job == null) {
                        continue;
                    }
                    dit.step(job);
                    if (job.done()) {
                        int c = consumersOf(id);
                        finish(id, c == 0 ? null : sidecar.putFloats(job.latent(), c), out);
                        ended = true;
                    }
                }
                out.iterationDone();
                if (ended || cut.getAsBoolean()) {
                    break;
                }
            }
        }

        @Override
        public void warmUp() {
            DiffusionTransformer.Job job = dit.start(new float[4 * textHidden], 4, 4, 4, 1);
            dit.step(job);
        }
    }
}
