package org.cornserve.traces.jsonl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.LongList;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceFormatException;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonlRoundTripTest {

    @TempDir
    Path tmp;

    private static final String[] APPS = {"chat", "vision \"qa\"", "ünïcode-app", "tab\there", "back\\slash"};

    static List<TraceRecord> randomRecords(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TraceRecord> out = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < n; i++) {
            t += random.nextLong(0, 3_000_000_000L);
            List<MediaItem> media = new ArrayList<>();
            int items = random.nextInt(4);
            for (int k = 0; k < items; k++) {
                media.add(switch (random.nextInt(4)) {
                    case 0 -> MediaItem.imageTokens(random.nextInt(2000));
                    case 1 -> MediaItem.imagePixels(1 + random.nextInt(4000), 1 + random.nextInt(4000));
                    case 2 -> MediaItem.audioSeconds(random.nextInt(100_000) / 1000.0);
                    default -> new MediaItem(Modality.VIDEO, random.nextInt(5000), 640, 480, 12.5, 300);
                });
            }
            Set<Modality> outs = EnumSet.of(Modality.TEXT);
            if (random.nextInt(4) == 0) {
                outs.add(Modality.AUDIO);
            }
            if (random.nextInt(5) == 0) {
                outs = EnumSet.of(Modality.IMAGE);
            }
            long[] hashes = new long[random.nextInt(3) == 0 ? random.nextInt(100) : 0];
            for (int k = 0; k < hashes.length; k++) {
                hashes[k] = random.nextLong(0, Long.MAX_VALUE);
            }
            out.add(new TraceRecord(t, APPS[random.nextInt(APPS.length)],
                    new RequestShape(random.nextInt(100_000), media, random.nextInt(5000), outs),
                    random.nextBoolean() ? null : "req-" + i, LongList.of(hashes)));
        }
        return out;
    }

    private static byte[] write(List<TraceRecord> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonlTraceWriter w = new JsonlTraceWriter(bytes)) {
            for (TraceRecord r : records) {
                w.write(r);
            }
        }
        return bytes.toByteArray();
    }

    private static List<TraceRecord> read(byte[] bytes, ReadOptions options) throws IOException {
        return TestFiles.readAll(new JsonlTraceReader(new ByteArrayInputStream(bytes), "mem.jsonl", options));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void writeThenReadGivesTheSameRecords(long seed) throws IOException {
        List<TraceRecord> records = randomRecords(seed, 500);
        byte[] bytes = write(records);
        assertEquals(records, read(bytes, ReadOptions.defaults()));
        // every line is valid JSON to a general parser too, and has the documented fields
        ObjectMapper json = new ObjectMapper();
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        assertEquals(records.size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            JsonNode n = json.readTree(lines[i]);
            assertEquals(records.get(i).app(), n.get("app").asText());
            assertEquals(records.get(i).arrivalNanos() / 1e9, n.get("arrival_s").asDouble(), 1e-6);
        }
    }

    /**
     * The fast path for text-only lines reads exactly what the Jackson path reads: the same records as
     * from the same lines with spaces inserted (which only Jackson accepts), and it rejects what
     * Jackson rejects.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void fastPathAgreesWithJackson(long seed) throws IOException {
        List<TraceRecord> textOnly = randomRecords(seed, 2000).stream()
                .filter(r -> r.shape().media().isEmpty() && r.shape().outputModalities().equals(Set.of(Modality.TEXT)))
                .toList();
        byte[] bytes = write(textOnly);
        String spaced = new String(bytes, StandardCharsets.UTF_8).replace(",\"", ", \"");
        assertEquals(textOnly, read(bytes, ReadOptions.defaults()));
        assertEquals(textOnly, read(spaced.getBytes(StandardCharsets.UTF_8), ReadOptions.defaults()));
        assertTrue(textOnly.size() > 150, "text-only records: " + textOnly.size());
        // and the fast path does take the plain lines
        FastTextLine fast = new FastTextLine();
        int taken = 0;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            boolean plain = line.contains("\"app\":\"chat\"") || line.contains("\"app\":\"back");
            if (fast.parse(b, 0, b.length)) {
                taken++;
                assertTrue(!line.contains("\\") && !line.contains("\u00fc"), line);
            } else {
                assertTrue(!plain || line.contains("\\"), "fast path refused a plain line: " + line);
            }
        }
        assertTrue(taken > 20, "fast path taken " + taken + " times");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"arrival_s\":01.5,\"app\":\"a\",\"text_tokens\":1,\"output_tokens\":1}",
        "{\"arrival_s\":1.,\"app\":\"a\",\"text_tokens\":1,\"output_tokens\":1}",
        "{\"arrival_s\":1.5,\"app\":\"a\",\"text_tokens\":01,\"output_tokens\":1}",
        "{\"arrival_s\":1.5,\"app\":\"a\",\"text_tokens\":1,\"output_tokens\":1}}",
        "{\"arrival_s\":1.5,\"app\":\"a\",\"text_tokens\":1,\"output_tokens\":1,\"hash_ids\":[1,]}",
        "{\"arrival_s\":1.5,\"app\":\"a\",\"text_tokens\":1,\"output_tokens\":1,\"hash_ids\":[1,2}",
        "{\"arrival_s\":1.5,\"app\":\"\",\"text_tokens\":1,\"output_tokens\":1}",
        "{\"arrival_s\":1.5,\"app\":\"a\",\"text_tokens\":12345678901,\"output_tokens\":1}",
    })
    void malformedTextLinesAreRejected(String line) {
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> read((line + "\n").getBytes(StandardCharsets.UTF_8), ReadOptions.defaults()));
        assertEquals(1, e.lineNumber(), e.getMessage());
    }

    /** Escaping agrees with a general JSON parser on random strings of control, ASCII, accented and astral characters. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void stringEscapingRoundTripsThroughJackson(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(12);
            for (int k = 0; k < len; k++) {
                switch (random.nextInt(5)) {
                    case 0 -> sb.append((char) random.nextInt(0x20));
                    case 1 -> sb.append("\"\\/".charAt(random.nextInt(3)));
                    case 2 -> sb.append((char) (0x20 + random.nextInt(0x5f)));
                    case 3 -> sb.append((char) (0xA0 + random.nextInt(0x2000)));
                    default -> sb.appendCodePoint(0x1F300 + random.nextInt(0x200));
                }
            }
            String s = sb.toString();
            String literal = new String(JsonlTraceWriter.jsonString(s), StandardCharsets.UTF_8);
            assertEquals(s, json.readValue(literal, String.class), literal);
        }
        assertEquals("\"\uFFFDx\"", new String(JsonlTraceWriter.jsonString("\uD800x"), StandardCharsets.UTF_8),
                "a lone surrogate becomes U+FFFD");
    }

    @Test
    void compactLineForATextRequest() throws IOException {
        byte[] bytes = write(List.of(new TraceRecord(1_500_000_000L, "chat", RequestShape.text(374, 44))));
        assertEquals("{\"arrival_s\":1.5,\"app\":\"chat\",\"text_tokens\":374,\"output_tokens\":44}\n",
                new String(bytes, StandardCharsets.UTF_8));
    }

    @Test
    void fieldsInAnyOrderAndDefaultApp() throws IOException {
        String line = "{\"output_tokens\":3,\"text_tokens\":2,\"arrival_s\":7,"
                + "\"media\":[{\"tokens\":5,\"modality\":\"image\"}],\"output_modalities\":[\"audio\",\"text\"]}\n";
        TraceRecord r = read(line.getBytes(StandardCharsets.UTF_8), ReadOptions.defaults()).get(0);
        assertEquals(7_000_000_000L, r.arrivalNanos());
        assertEquals(TraceRecord.DEFAULT_APP, r.app());
        assertEquals(5, r.shape().media().get(0).tokens());
        assertTrue(r.shape().wants(Modality.AUDIO));
        TraceRecord relabelled = read(line.getBytes(StandardCharsets.UTF_8), ReadOptions.defaults().withApp("x")).get(0);
        assertEquals("x", relabelled.app());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "truncated JSON  | '{\"arrival_s\":2.0,\"app\":\"a\",\"text_tokens\":1,\"output_tok' | truncated JSON",
        "truncated obj   | '{\"arrival_s\":2.0,\"app\":\"a\",\"text_tokens\":1,\"output_tokens\":1' | truncated",
        "bad number      | '{\"arrival_s\":2.0,\"text_tokens\":\"many\",\"output_tokens\":1}' | text_tokens: expected a whole number",
        "bad arrival     | '{\"arrival_s\":\"soon\",\"text_tokens\":1,\"output_tokens\":1}' | arrival_s: expected a number",
        "negative time   | '{\"arrival_s\":-1,\"text_tokens\":1,\"output_tokens\":1}' | arrival_s: must be >= 0",
        "missing field   | '{\"arrival_s\":2.0,\"text_tokens\":1}' | missing field output_tokens",
        "unknown field   | '{\"arrival_s\":2.0,\"text_tokens\":1,\"output_tokens\":1,\"colour\":1}' | unknown field 'colour'",
        "bad modality    | '{\"arrival_s\":2.0,\"text_tokens\":1,\"output_tokens\":1,\"media\":[{\"modality\":\"smell\"}]}' | unknown modality",
        "text as media   | '{\"arrival_s\":2.0,\"text_tokens\":1,\"output_tokens\":1,\"media\":[{\"modality\":\"text\"}]}' | media item modality",
        "time goes back  | '{\"arrival_s\":0.5,\"text_tokens\":1,\"output_tokens\":1}' | before the previous line's",
        "two objects     | '{\"arrival_s\":2.0,\"text_tokens\":1,\"output_tokens\":1} {}' | after the JSON object",
    })
    void badLinesNameFileAndLine(String what, String badLine, String expected) throws IOException {
        Path f = TestFiles.write(tmp, "t.jsonl", "{\"arrival_s\":1.0,\"app\":\"a\",\"text_tokens\":1,\"output_tokens\":1}\n"
                + badLine + "\n{\"arrival_s\":3.0,\"app\":\"a\",\"text_tokens\":1,\"output_tokens\":1}\n");
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> TestFiles.readAll(JsonlTraceReader.open(f, ReadOptions.defaults())));
        assertEquals(2, e.lineNumber(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        assertTrue(e.problem().contains(expected), e.problem());
        try (var reader = JsonlTraceReader.open(f, ReadOptions.defaults().withSkipBad(true))) {
            assertEquals(2, TestFiles.readAll(reader).size());
            assertEquals(1, reader.skippedLines());
        }
    }
}
