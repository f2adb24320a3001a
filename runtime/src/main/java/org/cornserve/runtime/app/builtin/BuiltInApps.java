package org.cornserve.runtime.app.builtin;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cornserve.runtime.app.App;

/** The apps that ship with the server, by id. */
public final class BuiltInApps {
    private BuiltInApps() {
    }

    /** Id to app class: chat, voice, arena, image. */
    public static Map<String, Class<? extends App<?, ?>>> all() {
        Map<String, Class<? extends App<?, ?>>> m = new LinkedHashMap<>();
        m.put("chat", MultimodalChatApp.class);
        m.put("voice", VoiceAssistantApp.class);
        m.put("arena", ArenaApp.class);
        m.put("image", ImageGenerationApp.class);
        return m;
    }
}
