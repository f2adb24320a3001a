package org.cornserve.runtime.engine.llm;

import java.util.HashMap;
import java.util.Map;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.VecOps;

/**
 * Causal grouped-query attention over a paged KV cache: the query row at position p of a sequence
 * attends to that sequence's cached positions 0..p. Rows are split over the compute threads; each
 * (row, head) is computed alone, so results do not depend on the batch.
 */
final class Attention {
    private Attention() {
    }

    static void paged(Kernels kernels, LlmConfig config, float[] qkv, int qkvWidth, int rows, long[] rowSeq,
            int[] rowPos, KvCache cache, float[] keys, float[] values, float[] out) {
        int heads = config.heads();
        int hd = config.headDim();
        int group = heads / config.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        Map<Long, int[]> slotsBySeq = new HashMap<>();
        int maxLen = 0;
        for (int i = 0; i < rows; i++) {
            maxLen = Math.max(maxLen, rowPos[i] + 1);
        }
        for (int i = 0; i < rows; i++) {
            slotsBySeq.computeIfAbsent(rowSeq[i], s -> cache.slots(s, cache.length(s)));
        }
        int kvHeads = config.kvHeads();
        int work = rows * kvHeads;
        long cost = 0;
        for (int i = 0; i < rows; i++) {
            cost += (long) (rowPos[i] + 1) * heads * hd * 4;
        }
        int tasks = cost < 500_000 ? 1 : Math.min(kernels.pool().threads(), work);
        int ctx = maxLen;
        VecOps vec = kernels.vec();
        kernels.pool().run(tasks, t -> {
            float[] scores = new float[group * ctx];
            for (int w = (int) ((long) work * t / tasks), end = (int) ((long) work * (t + 1) / tasks); w < end; w++) {
                int i = w / kvHeads;
                int kvHead = w % kvHeads;
                int kvOff = kvHead * hd;
                int[] slots = slotsBySeq.get(rowSeq[i]);
                int len = rowPos[i] + 1;
                int firstHead = kvHead * group;
                // the query heads sharing this key/value head read each cached key and value once
                for (int j = 0; j < len; j++) {
                    int ks = slots[j] + kvOff;
                    for (int g = 0; g < group; g++) {
                        scores[g * ctx + j] = vec.dot(qkv, i * qkvWidth + (firstHead + g) * hd, keys, ks, hd) * scale;
                    }
                }
                for (int g = 0; g < group; g++) {
                    vec.softmax(scores, g * ctx, len);
                    vec.weightedSum(scores, g * ctx, len, values, slots, kvOff, out, i * heads * hd + (firstHead + g) * hd,
                            hd);
                }
            }
        });
    }
}
