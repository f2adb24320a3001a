package org.cornserve.runtime.replay;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The server endpoint a replay calls. */
public enum ReplayApi {
    /** {@code POST /v1/chat/completions}, OpenAI style, streamed as server-sent events; the target is a model id. */
    CHAT("chat"),
    /** {@code POST /apps/{id}/invoke} with a JSON body; the answer is JSON, NDJSON or server-sent events. */
    INVOKE("invoke");

    private final String jsonName;

    ReplayApi(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    /** The endpoint's path for a target (a model id for chat, an app id for invoke). */
    public String path(String target) {
        return switch (this) {
            case CHAT -> "/v1/chat/completions";
            case INVOKE -> "/apps/" + target + "/invoke";
        };
    }

    public static ReplayApi byName(String name) {
        for (ReplayApi a : values()) {
            if (a.jsonName.equalsIgnoreCase(name.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown replay API '" + name + "'; known: "
                + Arrays.stream(values()).map(ReplayApi::jsonName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return jsonName.toLowerCase(Locale.ROOT);
    }
}
