package org.cornserve.runtime.engine.generate;

/** Text to token ids and back. */
public interface Tokenizer {
    /** Token ids of {@code text} (no special tokens added). */
    int[] encode(String text);

    /** Text of {@code ids}; special tokens are skipped. */
    String decode(int[] ids);

    /** Vocabulary size. */
    int vocabSize();
}
