package org.cornserve.model.task;

import java.util.Map;
import java.util.TreeMap;

/** Validation helpers shared by the component records. */
final class Checks {
    private Checks() {
    }

    static String id(String kind, String id) {
        if (id == null || id.isBlank() || !id.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException(kind + " id must be lowercase letters, digits, '.', '_' or '-', got '"
                    + id + "'");
        }
        return id;
    }

    static String shareId(String shareId) {
        if (shareId == null || shareId.isEmpty()) {
            return "";
        }
        return id("share", shareId);
    }

    static int bytesPerParam(String id, int bytes) {
        if (bytes == 0) {
            return 2;
        }
        if (bytes < 0 || bytes > 8) {
            throw new IllegalArgumentException(id + ": bytes_per_param must be in 1..8, got " + bytes);
        }
        return bytes;
    }

    static void positive(String id, String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(id + ": " + field + " must be > 0, got " + v);
        }
    }

    static void nonNegative(String id, String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(id + ": " + field + " must be >= 0, got " + v);
        }
    }

    static Map<String, String> sources(Map<String, String> sources) {
        return sources == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(sources));
    }
}
