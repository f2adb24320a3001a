package org.cornserve.traces.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DecimalsTest {

    private static long parse(String s) throws LineProblem {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Decimals.parseSecondsToNanos(b, 0, b.length, "t");
    }

    private static String format(long nanos) {
        char[] out = new char[40];
        return new String(out, 0, Decimals.formatNanosAsSeconds(nanos, out));
    }

    @Test
    void parsesAndFormatsKnownValues() throws LineProblem {
        assertEquals(0, parse("0"));
        assertEquals(1_500_000_000L, parse("1.5"));
        assertEquals(1_000L, parse("0.000001"));
        assertEquals(4_314_579_000L, parse("4.314579"));
        assertEquals(1_000_000_001L, parse("1.0000000005"), "10th digit rounds half up");
        assertEquals(1_500_000_000_000L, parse("1.5e3"));
        assertEquals("1.5", format(1_500_000_000L));
        assertEquals("2.0", format(2_000_000_000L));
        assertEquals("0.000000001", format(1));
        assertEquals("0.0", format(0));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void roundTripMatchesBigDecimalReference(long seed) throws LineProblem {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++) {
            long nanos = random.nextLong(0, 5_000_000_000_000_000L);
            String text = format(nanos);
            assertEquals(new BigDecimal(nanos).movePointLeft(9).compareTo(new BigDecimal(text)), 0, text);
            assertEquals(nanos, parse(text));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1.2.3", "-1", ".", "1x", "1e400"})
    void rejectsBadNumbers(String text) {
        LineProblem p = assertThrows(LineProblem.class, () -> parse(text));
        assertTrue(p.getMessage().startsWith("t:"), p.getMessage());
    }
}
