package org.cornserve.runtime.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import org.cornserve.runtime.app.AppConfig;
import org.cornserve.runtime.app.ClientGoneException;
import org.cornserve.runtime.app.InvokerAppContext;
import org.cornserve.runtime.app.Task;
import org.cornserve.runtime.app.TaskEvent;
import org.cornserve.runtime.app.TaskFailedException;
import org.cornserve.runtime.app.TaskInput;
import org.cornserve.runtime.app.TaskResult;
import org.cornserve.runtime.app.TaskStream;
import org.cornserve.runtime.serve.ModelInvoker;

/**
 * {@code GET /v1/models} (the models that can answer now) and {@code POST /v1/chat/completions}, shaped as OpenAI's API so an off-the-shelf client
 * works unchanged: a {@code chat.completion} object with {@code usage}, or with {@code stream: true} server-sent
 * {@code chat.completion.chunk} events ending in {@code data: [DONE]}.
 */
final class ChatCompletionsRoute {
    private final ModelInvoker invoker;
    private final HttpSupport http;
    private final ObjectMapper json;
    private final GatewayMetrics metrics;
    private final AtomicLong ids = new AtomicLong();

    ChatCompletionsRoute(ModelInvoker invoker, HttpSupport http, GatewayMetrics metrics) {
        this.invoker = invoker;
        this.http = http;
        this.json = http.mapper();
        this.metrics = metrics;
    }

    void models(Context ctx) {
        ObjectNode list = json.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        for (String m : invoker.servedModels()) {
            data.addObject().put("id", m).put("object", "model").put("created", 0).put("owned_by", "cornserve");
        }
        http.json(ctx, 200, list);
    }

    void complete(Context ctx) throws Exception {
        long t0 = System.nanoTime();
        int status = 500;
        String target = "unknown";
        InvokerAppContext appCtx = null;
        try {
            JsonNode root;
            try {
                root = json.readTree(http.body(ctx));
            } catch (JsonProcessingException e) {
                throw new ApiError(400, JsonErrors.describe(e, "the chat completion request"));
            } catch (IOException e) {
                throw new ApiError(400, "could not read the request: " + e.getMessage());
            }
            ChatRequest req = ChatRequest.parse(root);
            if (!invoker.models().contains(req.model())) {
                throw new ApiError(404, "model '" + req.model() + "' does not exist here; available: "
                        + String.join(", ", invoker.models()));
            }
            target = req.model();
            Task task = req.audioOut() ? Task.of(req.model(), org.cornserve.model.Modality.TEXT,
                    org.cornserve.model.Modality.AUDIO) : Task.of(req.model());
            appCtx = new InvokerAppContext("v1/chat/completions", AppConfig.of("model", task), invoker, metrics);
            TaskInput input = new TaskInput(req.prompt(), req.images(), req.audio(), req.maxTokens(),
                    req.temperature(), req.seed());
            String id = "chatcmpl-" + ids.incrementAndGet();
            long created = System.currentTimeMillis() / 1000;
            TaskStream stream = appCtx.call("model", input);
            status = req.stream() ? stream(ctx, req, stream, id, created, appCtx) : whole(ctx, req, stream, id,
                    created);
        } catch (ApiError e) {
            status = e.status();
            throw e;
        } finally {
            long total = System.nanoTime() - t0;
            long inside = appCtx == null ? 0 : appCtx.nanosInsideInvoker();
            metrics.request("chat", target, status, total, total - inside);
        }
    }

    private int whole(Context ctx, ChatRequest req, TaskStream stream, String id, long created)
            throws InterruptedException {
        TaskResult r;
        try {
            r = stream.collect();
        } catch (TaskFailedException e) {
            throw new ApiError(e.httpStatus(), e.getMessage());
        }
        ObjectNode c = json.createObjectNode().put("id", id).put("object", "chat.completion").put("created", created)
                .put("model", req.model());
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant").put("content", r.text())
                .putNull("refusal");
        if (r.audio() != null) {
            message.putObject("audio").put("id", "audio-" + id).put("data",
                    java.util.Base64.getEncoder().encodeToString(r.audio())).put("expires_at", created + 3600)
                    .put("transcript", r.text());
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(req, r.completionTokens()));
        usage(c.putObject("usage"), r.promptTokens(), r.completionTokens());
        http.json(ctx, 200, c);
        return 200;
    }

    private int stream(Context ctx, ChatRequest req, TaskStream stream, String id, long created,
            InvokerAppContext appCtx) throws InterruptedException {
        ChunkWriter writer = new ChunkWriter(ctx, ChunkWriter.Format.SSE);
        try {
            TaskEvent first = stream.next();
            writer.write(chunk(id, created, req.model(), delta -> delta.put("role", "assistant").put("content", ""),
                    null).toString());
            for (TaskEvent e = first; e != null; e = stream.next()) {
                if (e instanceof TaskEvent.Text t && !t.delta().isEmpty()) {
                    writer.write(chunk(id, created, req.model(), d -> d.put("content", t.delta()), null).toString());
                } else if (e instanceof TaskEvent.Audio a) {
                    writer.write(chunk(id, created, req.model(), d -> d.putObject("audio").put("id", "audio-" + id)
                            .put("data", java.util.Base64.getEncoder().encodeToString(a.wav())), null).toString());
                } else if (e instanceof TaskEvent.Done d) {
                    writer.write(chunk(id, created, req.model(), delta -> { }, finishReason(req,
                            d.completionTokens())).toString());
                    if (req.includeUsage()) {
                        ObjectNode u = json.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                                .put("created", created).put("model", req.model());
                        u.putArray("choices");
                        usage(u.putObject("usage"), d.promptTokens(), d.completionTokens());
                        writer.write(u.toString());
                    }
                }
            }
            writer.done();
            return 200;
        } catch (ClientGoneException | CancellationException e) {
            appCtx.cancel();
            return 499;
        } catch (TaskFailedException e) {
            if (!writer.started()) {
                throw new ApiError(e.httpStatus(), e.getMessage());
            }
            ObjectNode err = json.createObjectNode();
            err.putObject("error").put("message", e.getMessage()).put("type", ApiError.type(e.httpStatus()))
                    .put("code", Integer.toString(e.httpStatus()));
            try {
                writer.write(err.toString());
                writer.done();
            } catch (ClientGoneException ignored) {
                // the client left as well
            }
            return e.httpStatus();
        }
    }

    private ObjectNode chunk(String id, long created, String model, java.util.function.Consumer<ObjectNode> delta,
            String finishReason) {
        ObjectNode c = json.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", created).put("model", model);
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        delta.accept(choice.putObject("delta"));
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return c;
    }

    private static String finishReason(ChatRequest req, int completionTokens) {
        return completionTokens >= req.maxTokens() ? "length" : "stop";
    }

    private static void usage(ObjectNode u, int prompt, int completion) {
        u.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
    }
}
