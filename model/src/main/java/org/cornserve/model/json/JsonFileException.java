package org.cornserve.model.json;

/**
 * A JSON file (or resource, or string) that could not be read into a record: bad syntax, an unknown or
 * missing field, or a value a record's validation rejected. The message starts with
 * {@code source:line:column} and names the JSON field path, e.g.
 * {@code plan.json:12:7: at deployments[1].replicas: replicas must be >= 1, got 0}.
 */
public final class JsonFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String fieldPath;

    public JsonFileException(String source, int line, int column, String fieldPath, String problem, Throwable cause) {
        super(format(source, line, column, fieldPath, problem), cause);
        this.source = source;
        this.fieldPath = fieldPath;
    }

    private static String format(String source, int line, int column, String fieldPath, String problem) {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (fieldPath != null && !fieldPath.isEmpty()) {
            sb.append("at ").append(fieldPath).append(": ");
        }
        return sb.append(problem).toString();
    }

    /** The file, resource or label the JSON came from. */
    public String source() {
        return source;
    }

    /** The JSON path of the offending field, e.g. {@code deployments[1].replicas}; empty at the root. */
    public String fieldPath() {
        return fieldPath == null ? "" : fieldPath;
    }
}
