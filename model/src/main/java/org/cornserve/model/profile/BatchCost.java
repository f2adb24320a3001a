package org.cornserve.model.profile;

/**
 * Latency of one batch on one replica of a single-pass unit task: an encoder (image, audio, video
 * items), a vocoder or a VAE decoder. Implemented by roofline estimates and by measured or imported
 * profiles; the latency covers the whole replica (its tensor-parallel degree included).
 */
@FunctionalInterface
public interface BatchCost {
    /**
     * @param items items in the batch (images, clips, decode jobs), at least 1
     * @param tokens total tokens (patches, frames, codes) the batch processes
     * @return batch latency in seconds
     */
    double batchSeconds(int items, long tokens);
}
