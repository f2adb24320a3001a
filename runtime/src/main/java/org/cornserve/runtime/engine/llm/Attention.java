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
        int work = rows * heads;
        long cost = 0;
        for (int i = 0; i < rows; i++) {
            cost += (long) (rowPos[i] + 1) * heads * hd * 4;
        }
        int tasks = cost < 500_000 ? 1 : Math.min(kernels.pool().threads(), work);
        int ctx = maxLen;
        VecOps vec = kernels.vec();
        kernels.pool().run(tasks, t -> {
            float[] scores = new float[ctx];
            for (int w = (int) ((long) work * t / tasks), end = (int) ((long) work * (t + 1) / tasks); w < end; w++) {
                int i = w / heads;
                int head = w % heads;
                int kvOff = (head / group) * hd;
                int qOff = i * qkvWidth + head * hd;
                int[] slots = slotsBySeq.get(rowSeq[i]);
                int len = rowPos[i] + 1;
                for (int j = 0; j < len; j++) {
                    scores[j] = vec.dot(qkv, qOff, keys, slots[j] + kvOff, hd) * scale;
                }
                vec.softmax(scores, 0, len);
                int o = i * heads * hd + head * hd;
                java.util.Arrays.fill(out, o, o + hd, 0f);
                for (int j = 0; j < len; j++) {
                    vec.axpy(scores[j], values, slots[j] + kvOff, out, o, hd);
                }
            }
        });
    }
}
