package org.cornserve.planner.schedule.graph;

import java.util.Arrays;

/**
 * What a live engine knows of a prompt's content, for prefix caching: the ids of its consecutive pieces of
 * {@code unitTokens} tokens each (Mooncake's {@code hash_ids} are pieces of 512 tokens; token ids are pieces of 1).
 * Equal ids at equal positions after equal predecessors mean equal tokens. The engine maps the pieces onto its own
 * KV blocks ({@code block_size}) and chains the hashes. Immutable.
 */
public final class PromptBlocks {

    /** No content known: every block of the prompt is taken as unique to its request. */
    public static final PromptBlocks NONE = new PromptBlocks(1, new long[0]);

    private final int unitTokens;
    private final long[] ids;

    private PromptBlocks(int unitTokens, long[] ids) {
        this.unitTokens = unitTokens;
        this.ids = ids;
    }

    /** Pieces of {@code unitTokens} tokens with these ids (copied). */
    public static PromptBlocks of(int unitTokens, long... ids) {
        if (unitTokens < 1) {
            throw new IllegalArgumentException("prompt blocks need unit tokens >= 1, got " + unitTokens);
        }
        return ids.length == 0 ? NONE : new PromptBlocks(unitTokens, ids.clone());
    }

    /** Token ids of the prompt (pieces of one token). */
    public static PromptBlocks ofTokens(long... tokenIds) {
        return of(1, tokenIds);
    }

    public int unitTokens() {
        return unitTokens;
    }

    public int size() {
        return ids.length;
    }

    public long id(int i) {
        return ids[i];
    }

    /** Tokens the ids cover: {@code size x unitTokens}. */
    public long coveredTokens() {
        return (long) ids.length * unitTokens;
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptBlocks p && p.unitTokens == unitTokens && Arrays.equals(p.ids, ids);
    }

    @Override
    public int hashCode() {
        return 31 * unitTokens + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "PromptBlocks[" + ids.length + " x " + unitTokens + " tokens]";
    }
}
