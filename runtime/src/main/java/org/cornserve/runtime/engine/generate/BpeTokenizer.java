package org.cornserve.runtime.engine.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A byte-level BPE tokenizer read from a Hugging Face {@code tokenizer.json} (GPT-2, Llama 3, Qwen2):
 * added tokens are matched first, the rest is split by the pre-tokenizer's regex, each piece's UTF-8
 * bytes are mapped to GPT-2's printable characters and merged by merge rank.
 */
public final class BpeTokenizer implements Tokenizer {
    static final String GPT2_SPLIT =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final Map<String, Integer> mergeRanks;
    private final Map<String, Integer> added;
    private final Pattern addedPattern;
    private final Pattern split;
    private final char[] byteToChar = new char[256];
    private final Map<Character, Integer> charToByte = new HashMap<>();

    private BpeTokenizer(Map<String, Integer> vocab, Map<String, Integer> mergeRanks, Map<String, Integer> added,
            Pattern split) {
        this.vocab = vocab;
        this.mergeRanks = mergeRanks;
        this.added = added;
        this.split = split;
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        for (int id : added.values()) {
            size = Math.max(size, id + 1);
        }
        this.idToToken = new String[size];
        vocab.forEach((t, id) -> idToToken[id] = t);
        added.forEach((t, id) -> idToToken[id] = t);
        StringBuilder alt = new StringBuilder();
        added.keySet().stream().sorted((a, b) -> b.length() - a.length()).forEach(t -> {
            if (!alt.isEmpty()) {
                alt.append('|');
            }
            alt.append(Pattern.quote(t));
        });
        this.addedPattern = alt.isEmpty() ? null : Pattern.compile(alt.toString());
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            byteToChar[b] = printable ? (char) b : (char) (256 + n++);
            charToByte.put(byteToChar[b], b);
        }
    }

    /** Reads {@code tokenizer.json}; fails with the file named when it is not a byte-level BPE tokenizer. */
    public static BpeTokenizer load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
        }
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText("BPE")) || !model.path("vocab").isObject()) {
            throw new IllegalArgumentException(file + ": model.type must be BPE with a vocab object");
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        Map<String, Integer> ranks = new HashMap<>();
        int rank = 0;
        for (JsonNode m : model.path("merges")) {
            String pair;
            if (m.isArray() && m.size() == 2) {
                pair = m.get(0).asText() + " " + m.get(1).asText();
            } else if (m.isTextual() && m.asText().indexOf(' ') > 0) {
                pair = m.asText();
            } else {
                throw new IllegalArgumentException(file + ": merge #" + rank + " is not a pair: " + m);
            }
            ranks.putIfAbsent(pair, rank++);
        }
        Map<String, Integer> added = new HashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            added.put(t.path("content").asText(), t.path("id").asInt());
        }
        return new BpeTokenizer(vocab, ranks, added, Pattern.compile(findSplit(root.path("pre_tokenizer"))));
    }

    private static String findSplit(JsonNode pre) {
        if (pre.isMissingNode() || pre.isNull()) {
            return GPT2_SPLIT;
        }
        if ("Split".equals(pre.path("type").asText()) && pre.path("pattern").has("Regex")) {
            String regex = pre.path("pattern").path("Regex").asText();
            try {
                Pattern.compile(regex);
                return regex;
            } catch (PatternSyntaxException e) {
                return GPT2_SPLIT;
            }
        }
        for (JsonNode child : pre.path("pretokenizers")) {
            String r = findSplit(child);
            if (!r.equals(GPT2_SPLIT)) {
                return r;
            }
        }
        return GPT2_SPLIT;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        int pos = 0;
        if (addedPattern != null) {
            Matcher m = addedPattern.matcher(text);
            while (m.find()) {
                encodeOrdinary(text.substring(pos, m.start()), ids);
                ids.add(added.get(m.group()));
                pos = m.end();
            }
        }
        encodeOrdinary(text.substring(pos), ids);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private void encodeOrdinary(String text, List<Integer> ids) {
        Matcher m = split.matcher(text);
        while (m.find()) {
            byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
            List<String> parts = new ArrayList<>(bytes.length);
            for (byte b : bytes) {
                parts.add(String.valueOf(byteToChar[b & 0xff]));
            }
            while (parts.size() > 1) {
                int best = -1;
                int bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < parts.size(); i++) {
                    Integer r = mergeRanks.get(parts.get(i) + " " + parts.get(i + 1));
                    if (r != null && r < bestRank) {
                        bestRank = r;
                        best = i;
                    }
                }
                if (best < 0) {
                    break;
                }
                parts.set(best, parts.get(best) + parts.remove(best + 1));
            }
            for (String p : parts) {
                Integer id = vocab.get(p);
                if (id == null) {
                    throw new IllegalArgumentException("tokenizer has no token for '" + p + "' (vocab lacks a byte)");
                }
                ids.add(id);
            }
        }
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= idToToken.length || idToToken[id] == null || added.containsKey(idToToken[id])) {
                continue;
            }
            for (char c : idToToken[id].toCharArray()) {
                Integer b = charToByte.get(c);
                if (b != null) {
                    out.write(b);
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return idToToken.length;
    }
}
