package org.cornserve.runtime.app.builtin;

import org.cornserve.model.Modality;
import org.cornserve.runtime.app.AppConfig;
import org.cornserve.runtime.app.AppContext;
import org.cornserve.runtime.app.DataUrl;
import org.cornserve.runtime.app.Task;
import org.cornserve.runtime.app.TaskInput;
import org.cornserve.runtime.app.TaskResult;
import org.cornserve.runtime.app.UnaryApp;

/**
 * Voice assistant: text and optionally a spoken question (a WAV, base64 in JSON) and an image through tiny-omni's
 * encoders and thinker, then its talker and vocoder; the answer as text and as a WAV (base64).
 */
public final class VoiceAssistantApp implements UnaryApp<VoiceAssistantApp.Request, VoiceAssistantApp.Response> {

    /** A question: text, and a WAV clip (base64) and an image (data URL), both optional. */
    public record Request(String prompt, byte[] audio, DataUrl image, Integer maxTokens, Long seed) {
        public Request {
            if (prompt == null) {
                throw new IllegalArgumentException("prompt is required");
            }
        }
    }

    /** The answer: text, speech as WAV bytes (base64 in JSON), token counts. */
    public record Response(String text, byte[] audio, int promptTokens, int completionTokens) {
    }

    @Override
    public AppConfig config() {
        return AppConfig.of("omni", Task.of("tiny-omni", Modality.TEXT, Modality.AUDIO));
    }

    @Override
    public Response serve(Request request, AppContext context) throws Exception {
        TaskInput input = TaskInput.text(request.prompt()).withAudio(request.audio()).withImage(request.image())
                .withSampling(request.maxTokens(), 0.0, request.seed());
        TaskResult r = context.call("omni", input).collect();
        return new Response(r.text(), r.audio(), r.promptTokens(), r.completionTokens());
    }
}
