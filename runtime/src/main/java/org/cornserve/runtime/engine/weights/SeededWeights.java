package org.cornserve.runtime.engine.weights;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Weights generated from a seed: each tensor is a deterministic function of the seed and its name (so
 * adding a layer does not change the others), with the scale of a trained model's initialisation so
 * activations stay in range. The arithmetic and memory traffic are those of real weights.
 */
public final class SeededWeights implements WeightSource {
    private final long seed;

    /** Weights for {@code seed}. */
    public SeededWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public float[] get(String name, Init init, int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] out = new float[Math.toIntExact(n)];
        switch (init) {
            case ZEROS -> { }
            case ONES -> java.util.Arrays.fill(out, 1f);
            case FAN_IN, SMALL -> {
                int fanIn = 1;
                for (int i = 1; i < shape.length; i++) {
                    fanIn *= shape[i];
                }
                if (shape.length == 1) {
                    fanIn = shape[0];
                }
                double std = init == Init.SMALL ? 0.02 : 1.0 / Math.sqrt(Math.max(1, fanIn));
                double half = std * Math.sqrt(3.0);
                SplittableRandom rnd = new SplittableRandom(seed ^ nameHash(name));
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) ((rnd.nextDouble() * 2 - 1) * half);
                }
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    @Override
    public boolean has(String name) {
        return true;
    }

    @Override
    public String describe() {
        return "seeded weights (seed " + seed + ")";
    }

    /** 64-bit FNV-1a of the name, then mixed, so similar names give unrelated streams. */
    static long nameHash(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
