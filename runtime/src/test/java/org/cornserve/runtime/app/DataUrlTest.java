package org.cornserve.runtime.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DataUrlTest {
    @Test
    void parsesAndWritesBase64DataUrls() {
        DataUrl d = DataUrl.parse("data:image/png;base64,aGVs\nbG8=");
        assertEquals("image/png", d.mediaType());
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), d.bytes());
        assertEquals("data:image/png;base64,aGVsbG8=", d.toUrl());
        assertEquals(d.toUrl(), DataUrl.parse(d.toUrl()).toUrl());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://example.com/cat.png | not a data URL",
        "data:image/png;base64       | no ','",
        "data:image/png,aGVsbG8=     | not base64",
        "data:image/png;base64,%%%   | not valid base64",
        "data:image/png;base64,      | empty payload"})
    void badUrlsSayWhatIsWrong(String url, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataUrl.parse(url));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
