package org.cornserve.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.request.RequestShape;
import org.junit.jupiter.api.Test;

class TraceFormatTest {

    @Test
    void everyFormatByItsName() {
        for (TraceFormat f : TraceFormat.values()) {
            assertEquals(f, TraceFormat.byName(f.formatName()));
        }
        assertEquals(List.of("azure-llm", "azure-mm", "mooncake", "burstgpt", "servegen", "jsonl"),
                List.of(TraceFormat.names().split(", ")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceFormat.byName("csv"));
        assertTrue(e.getMessage().contains("known: azure-llm"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> TraceFormat.AZURE_LLM.open(Path.of("no/such.csv"), ReadOptions.defaults()));
        assertTrue(e.getMessage().contains("no/such.csv"), e.getMessage());
    }

    @Test
    void recordAndOptionsValidate() {
        assertThrows(IllegalArgumentException.class, () -> new TraceRecord(-1, "a", RequestShape.text(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> new TraceRecord(0, " ", RequestShape.text(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.defaults().withWindow(10, 5));
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.defaults().withImageTokensEach(-1));
        assertEquals(LongList.EMPTY, new TraceRecord(0, "a", RequestShape.text(1, 1)).hashIds());
    }

    @Test
    void longListIsAnImmutableListOfLongs() {
        LongList l = LongList.of(3, 1, 2);
        assertEquals(List.of(3L, 1L, 2L), l);
        assertEquals(List.of(3L, 1L, 2L).hashCode(), l.hashCode());
        assertEquals(l, LongList.copyOf(List.of(3L, 1L, 2L)));
        assertNotEquals(l, LongList.of(3, 1));
        assertThrows(UnsupportedOperationException.class, () -> l.add(4L));
        long[] raw = {5, 6};
        LongList copy = LongList.of(raw);
        raw[0] = 9;
        assertEquals(5, copy.getLong(0));
    }
}
