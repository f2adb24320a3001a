package org.cornserve.runtime.profile;

import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.model.task.UnitTask;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.executor.ExecutorCommand;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * The profiler's inputs, of the shapes the runtime gives each task and seeded: prompts, thinker states, square
 * images, clips, codec codes, text states with a latent size, latents. Tensors go into the sidecar for one reader
 * (the executor, which releases them once read); each open asks for one consumer of its output, as when serving.
 */
final class SyntheticInputs {
    private final SharedMemorySidecar sidecar;
    private final int diffusionTextTokens;
    private final SplittableRandom random = new SplittableRandom(7);

    SyntheticInputs(SharedMemorySidecar sidecar, int diffusionTextTokens) {
        this.sidecar = sidecar;
        this.diffusionTextTokens = diffusionTextTokens;
    }

    /**
     * Whether {@link #llm} opens {@code t} with a text prompt (every LLM-like task but a talker, whose input is its
     * thinker's states): what a {@code FILL} step item takes.
     */
    static boolean textPrompt(UnitTask t) {
        return !ProfileMeasurer.component(t).equals("talker");
    }

    /** An LLM-like task's open: a random prompt (a talker: random thinker states) of {@code promptTokens}. */
    ExecutorCommand.Open llm(long id, UnitTask t, long promptTokens) {
        return llm(id, t, promptTokens, 0);
    }

    /**
     * As above, its tokens sampled at {@code temperature} (0: greedy; above 0 with top-p 0.95, as the executor samples
     * a served request).
     */
    ExecutorCommand.Open llm(long id, UnitTask t, long promptTokens, double temperature) {
        int n = (int) Math.max(1, promptTokens);
        String component = ProfileMeasurer.component(t);
        if (component.equals("talker")) {
            TensorRef in = sidecar.putFloats(noise(n * TinyModels.TALKER.thinkerHidden()), 1);
            return new ExecutorCommand.Open(id, t.id(), null, List.of(in), null, room(n), temperature, id, false, 0);
        } else if (component.equals("text-encoder")) {
            // as the image app opens it: one pass over the prompt, its states handed on to the DiT
            return new ExecutorCommand.Open(id, t.id(), prompt(n), List.of(), null, 1, 0, id, true, 1);
        } else {
            return new ExecutorCommand.Open(id, t.id(), prompt(n), List.of(), null, room(n), temperature, id, false,
                    0);
        }
    }

    private int[] prompt(int n) {
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = 32 + random.nextInt(90);
        }
        return tokens;
    }

    private float[] noise(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (random.nextDouble() - 0.5);
        }
        return f;
    }

    /** Tokens a sequence of {@code prompt} tokens may generate within the tiny models' positions. */
    private static int room(int prompt) {
        if (prompt >= TinyModels.MAX_POSITIONS) {
            throw new IllegalArgumentException("profiler: a " + prompt + "-token prompt leaves no room in the"
                    + " tiny models' " + TinyModels.MAX_POSITIONS + " positions; lower the grid's token counts");
        }
        return TinyModels.MAX_POSITIONS - prompt;
    }

    /** A diffusion job: random text states of the grid's text length and a square latent of {@code latentTokens}. */
    ExecutorCommand.Open diffusionJob(long id, String task, long latentTokens) {
        int side = squareSide(task, latentTokens) * TinyModels.DIT.patch();
        int textRows = diffusionTextTokens;
        TensorRef text = sidecar.putFloats(noise(textRows * TinyModels.TEXT_ENCODER.hidden()), 1);
        return new ExecutorCommand.Open(id, task, null, List.of(text), new int[] {side, side}, 0, 0, id, false, 1);
    }

    private static int squareSide(String task, long tokens) {
        int side = (int) Math.round(Math.sqrt(tokens));
        if ((long) side * side != tokens) {
            throw new IllegalArgumentException("profiler: " + task + " needs square token counts per item (square"
                    + " images), got " + tokens);
        }
        return side;
    }

    /** One item of {@code tokens} tokens: a square image, a clip, codec codes, or a square latent. */
    ExecutorCommand.Open batchItem(long id, String task, String component, long tokens) {
        return switch (component) {
            case "vision-encoder" -> {
                int side = (int) Math.max(1, Math.round(Math.sqrt(tokens)));
                int px = side * TinyModels.VISION.patch() * TinyModels.VISION.merge();
                float[] pixels = new float[px * px * 3];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (float) random.nextDouble();
                }
                yield new ExecutorCommand.Open(id, task, null, List.of(sidecar.putFloats(pixels, 1)),
                        new int[] {px, px}, 0, 0, 0, false, 1);
            }
            case "audio-encoder" -> new ExecutorCommand.Open(id, task, null, List.of(sidecar.putFloats(
                    noise((int) (tokens * TinyModels.AUDIO.sampleRate() / 25)), 1)), null, 0, 0, 0, false, 1);
            case "vocoder" -> {
                int[] codes = new int[(int) tokens];
                for (int i = 0; i < codes.length; i++) {
                    codes[i] = random.nextInt(200);
                }
                yield new ExecutorCommand.Open(id, task, null, List.of(sidecar.putInts(codes, 1)), null, 0, 0, 0,
                        false, 1);
            }
            case "vae-decoder" -> {
                int side = squareSide(task, tokens);
                float[] latent = noise(side * side * TinyModels.VAE.latentChannels());
                yield new ExecutorCommand.Open(id, task, null, List.of(sidecar.putFloats(latent, 1)),
                        new int[] {side, side}, 0, 0, 0, false, 1);
            }
            default -> throw new IllegalArgumentException("profiler: cannot drive " + task);
        };
    }
}
