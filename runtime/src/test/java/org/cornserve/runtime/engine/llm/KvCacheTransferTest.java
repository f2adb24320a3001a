package org.cornserve.runtime.engine.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prefill/decode hand-off of a KV cache: a sequence prefilled in one cache, exported, moved through the shared-
 * memory sidecar and imported into another cache with a different block size and layout decodes the same tokens,
 * with the same logits, as the sequence run whole in one cache (greedy, same weights seed: the reference).
 */
class KvCacheTransferTest {
    @TempDir
    Path shm;

    /** Greedy over the byte tokens (the test model's placeholder, 259, takes embedding rows, not a token). */
    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < 256; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Greedy decode of {@code n} tokens after {@code first}, from position {@code pos}; the last logits at the end. */
    private static int[] decode(LlmModel m, KvCache cache, long seq, int pos, int first, int n, float[][] last) {
        int[] out = new int[n + 1];
        out[0] = first;
        for (int i = 1; i <= n; i++) {
            float[] logits = m.step(List.of(SeqChunk.decode(seq, pos + i - 1, out[i - 1])), cache).get(0).logits();
            out[i] = argmax(logits);
            last[0] = logits;
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"1, 13, 4, 4", "2, 16, 4, 8", "3, 29, 8, 4", "4, 1, 4, 16", "5, 40, 16, 4"})
    void decodingAnImportedPrefillMatchesTheWholeRun(long seed, int promptLength, int prefillBlock, int decodeBlock)
            throws Exception {
        LlmModel m = LlmModelTest.model(seed);
        int[] prompt = LlmModelTest.randomTokens(new SplittableRandom(seed * 31), promptLength);
        int steps = 12;

        KvCache whole = new KvCache(LlmModelTest.SMALL, 32, 4);
        int first = argmax(m.step(List.of(new SeqChunk(1, 0, prompt, null, true, false)), whole).get(0).logits());
        float[][] wholeLast = new float[1][];
        int[] want = decode(m, whole, 1, promptLength, first, steps, wholeLast);

        KvCache prefill = new KvCache(LlmModelTest.SMALL, 32, prefillBlock);
        // the prefill side runs the prompt in two chunks, as a chunked prefill would
        int cut = Math.max(1, promptLength / 2);
        m.step(List.of(new SeqChunk(3, 0, Arrays.copyOf(prompt, cut), null, cut == promptLength, false)), prefill);
        int prefillFirst = first;
        if (cut < promptLength) {
            prefillFirst = argmax(m.step(List.of(new SeqChunk(3, cut, Arrays.copyOfRange(prompt, cut, promptLength),
                    null, true, false)), prefill).get(0).logits());
        }
        assertEquals(first, prefillFirst, "the prefill side's first token");
        float[] flat = new float[prefill.transferFloats(promptLength)];
        prefill.exportSequence(3, promptLength, flat, 0);
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(shm, "kv", "pf", 5_000, System::currentTimeMillis)) {
            TensorRef ref = sidecar.putFloats(flat, 1);
            prefill.free(3); // the prefill side frees its blocks once exported
            assertEquals(prefill.capacityBlocks(), prefill.freeBlocks());

            KvCache decodeCache = new KvCache(LlmModelTest.SMALL, 32, decodeBlock);
            // another sequence holds the first blocks, so the imported one lies elsewhere than on the prefill side
            m.step(List.of(new SeqChunk(9, 0, LlmModelTest.randomTokens(new SplittableRandom(seed), 11), null, false,
                    false)), decodeCache);
            float[] received = sidecar.readFloats(ref);
            sidecar.release(ref);
            assertEquals(0, sidecar.live(), "the hand-off's segment is freed once consumed");
            decodeCache.importSequence(5, promptLength, received, 0);
            assertEquals(promptLength, decodeCache.length(5));
            float[][] splitLast = new float[1][];
            int[] got = decode(m, decodeCache, 5, promptLength, prefillFirst, steps, splitLast);
            assertArrayEquals(want, got, "tokens after the hand-off");
            assertArrayEquals(wholeLast[0], splitLast[0], 1e-5f, "logits of the last step");
        }
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
    }

    @Test
    void refusesAnOccupiedSequenceAShortArrayAndAFullCacheWithoutAllocating() {
        LlmModel m = LlmModelTest.model(7);
        KvCache cache = new KvCache(LlmModelTest.SMALL, 4, 4);
        m.step(List.of(new SeqChunk(1, 0, LlmModelTest.randomTokens(new SplittableRandom(1), 6), null, false, false)),
                cache);
        float[] flat = new float[cache.transferFloats(6)];
        cache.exportSequence(1, 6, flat, 0);
        assertThrows(IllegalArgumentException.class, () -> cache.exportSequence(1, 7, flat, 0));
        assertThrows(IllegalArgumentException.class, () -> cache.exportSequence(1, 6, flat, 1));
        assertThrows(IllegalArgumentException.class, () -> cache.importSequence(1, 6, flat, 0));
        int free = cache.freeBlocks();
        assertThrows(KvCacheFullException.class, () -> cache.importSequence(2, 12, new float[cache.transferFloats(12)],
                0));
        assertEquals(free, cache.freeBlocks(), "nothing allocated");
        assertEquals(0, cache.length(2));
        cache.importSequence(2, 6, flat, 0);
        float[] back = new float[flat.length];
        cache.exportSequence(2, 6, back, 0);
        assertArrayEquals(flat, back);
    }
}
