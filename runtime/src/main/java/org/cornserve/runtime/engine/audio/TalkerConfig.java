package org.cornserve.runtime.engine.audio;

import org.cornserve.runtime.engine.llm.LlmConfig;

/**
 * A talker: a small LLM over codec codes (its vocabulary) that reads the thinker's hidden states
 * through a projection and emits one code per step.
 *
 * @param llm the talker's transformer (vocab = codec codes)
 * @param thinkerHidden width of the thinker hidden states it reads
 * @param codesPerSecond codec frame rate
 */
public record TalkerConfig(LlmConfig llm, int thinkerHidden, int codesPerSecond) {
    public TalkerConfig {
        if (thinkerHidden <= 0 || codesPerSecond <= 0) {
            throw new IllegalArgumentException("bad talker config " + this);
        }
    }
}
