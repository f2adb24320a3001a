package org.cornserve.runtime.app;

/**
 * An app that answers each request with one response.
 *
 * <pre>{@code
 * public final class Caption implements UnaryApp<Caption.Request, Caption.Response> {
 *     public record Request(String prompt, DataUrl image) {}
 *     public record Response(String text) {}
 *
 *     public AppConfig config() { return AppConfig.of("vlm", Task.of("tiny-vl")); }
 *
 *     public Response serve(Request r, AppContext ctx) throws Exception {
 *         return new Response(ctx.call("vlm", TaskInput.text(r.prompt()).withImage(r.image())).collect().text());
 *     }
 * }
 * }</pre>
 */
public non-sealed interface UnaryApp<Req, Res> extends App<Req, Res> {

    /** Serves one request; may call tasks through {@code context}, concurrently if it likes. */
    Res serve(Req request, AppContext context) throws Exception;
}
