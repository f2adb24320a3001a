package org.cornserve.runtime.gateway;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.List;
import java.util.stream.Collectors;

/** Turns Jackson's exceptions into messages that name the field and say what is wrong with it. */
final class JsonErrors {
    private JsonErrors() {
    }

    /** A client's message for a body that could not be read as {@code what}. */
    static String describe(JsonProcessingException e, String what) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return "unknown field '" + u.getPropertyName() + "'" + at(u.getPath().subList(0, u.getPath().size() - 1))
                    + " in " + what + "; known fields: " + known;
        }
        if (e instanceof ValueInstantiationException v) {
            Throwable cause = v.getCause() == null ? v : v.getCause();
            return "bad value" + at(v.getPath()) + " in " + what + ": " + cause.getMessage();
        }
        if (e instanceof InvalidFormatException f) {
            return "bad value" + at(f.getPath()) + " in " + what + ": '" + f.getValue() + "' is not a "
                    + f.getTargetType().getSimpleName();
        }
        if (e instanceof MismatchedInputException m) {
            String target = m.getTargetType() == null ? "the expected type" : m.getTargetType().getSimpleName();
            return "bad value" + at(m.getPath()) + " in " + what + ": expected " + target + " ("
                    + firstLine(m.getOriginalMessage()) + ")";
        }
        if (e instanceof JsonMappingException m) {
            return "bad value" + at(m.getPath()) + " in " + what + ": " + firstLine(m.getOriginalMessage());
        }
        JsonLocation loc = e.getLocation();
        return "malformed JSON in " + what + (loc == null ? "" : " at line " + loc.getLineNr() + ", column "
                + loc.getColumnNr()) + ": " + firstLine(e.getOriginalMessage());
    }

    private static String at(List<JsonMappingException.Reference> path) {
        if (path.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? "" : " at '" + b + "'";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
