package org.cornserve.traces.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.cornserve.traces.io.LineProblem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AzureTimestampsTest {

    private static long parse(String s) throws LineProblem {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return AzureTimestamps.parseEpochNanos(b, 0, b.length, "TIMESTAMP");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void agreesWithJavaTimeOnRandomInstants(long seed) throws LineProblem {
        SplittableRandom random = new SplittableRandom(seed);
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSS");
        for (int i = 0; i < 3000; i++) {
            long epochSecond = random.nextLong(0, 4_102_444_800L); // 1970..2100
            int nanos = random.nextInt(10_000_000) * 100; // 7 fraction digits as in the Azure files
            LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, nanos, ZoneOffset.UTC);
            String text = t.format(f);
            assertEquals(epochSecond * 1_000_000_000L + nanos, parse(text), text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-11-16 18:15:46.6805900", "2023-11-16T18:15:46.68059", "2023-11-16 18:15:46"})
    void acceptsTheAzureForms(String text) throws LineProblem {
        LocalDateTime t = LocalDateTime.parse(text.replace(' ', 'T'));
        assertEquals(t.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + t.getNano(), parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-13-16 18:15:46.1", "2023-02-30 18:15:46.1", "2023-11-16 25:15:46.1",
            "2023/11/16 18:15:46.1", "2023-11-16 18:15:4x.1", "1700000000", "2023-11-16 18:15:46.", "2023-11-16 18:15:46.12a"})
    void rejectsBadTimestamps(String text) {
        assertThrows(LineProblem.class, () -> parse(text));
    }
}
