package org.cornserve.runtime.app.builtin;

import org.cornserve.model.Modality;
import org.cornserve.runtime.app.AppConfig;
import org.cornserve.runtime.app.AppContext;
import org.cornserve.runtime.app.DataUrl;
import org.cornserve.runtime.app.Task;
import org.cornserve.runtime.app.TaskInput;
import org.cornserve.runtime.app.UnaryApp;

/** Image generation: a prompt through tiny-image's text encoder, diffusion transformer and VAE; a PNG data URL. */
public final class ImageGenerationApp implements UnaryApp<ImageGenerationApp.Request, ImageGenerationApp.Response> {

    /** What to draw, and the noise seed. */
    public record Request(String prompt, Long seed) {
        public Request {
            if (prompt == null || prompt.isBlank()) {
                throw new IllegalArgumentException("prompt is required and must not be blank");
            }
        }
    }

    /** The picture, as a {@code data:image/png;base64,...} URL. */
    public record Response(DataUrl image) {
    }

    @Override
    public AppConfig config() {
        return AppConfig.of("generator", Task.of("tiny-image", Modality.IMAGE));
    }

    @Override
    public Response serve(Request request, AppContext context) throws Exception {
        byte[] png = context.call("generator", TaskInput.text(request.prompt()).withSampling(null, null,
                request.seed())).collect().image();
        return new Response(DataUrl.of("image/png", png));
    }
}
