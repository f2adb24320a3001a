package org.cornserve.runtime.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import org.cornserve.runtime.app.AppCompiler;
import org.cornserve.runtime.app.AppRegistry;
import org.cornserve.runtime.app.ChunkSink;
import org.cornserve.runtime.app.ClientGoneException;
import org.cornserve.runtime.app.InvokerAppContext;
import org.cornserve.runtime.app.StreamingApp;
import org.cornserve.runtime.app.TaskFailedException;
import org.cornserve.runtime.app.UnaryApp;
import org.cornserve.runtime.serve.ModelInvoker;

/**
 * {@code POST /apps}, {@code DELETE /apps/{id}}, {@code GET /apps} and {@code POST /apps/{id}/invoke}: register an
 * app from its Java source, remove it, list them, and run one request through an app's serve function (a JSON
 * answer, or NDJSON / server-sent events for a streaming app).
 */
final class AppRoutes {
    private final AppRegistry registry;
    private final AppCompiler compiler = new AppCompiler();
    private final ModelInvoker invoker;
    private final HttpSupport http;
    private final ObjectMapper appJson;
    private final GatewayMetrics metrics;

    AppRoutes(AppRegistry registry, ModelInvoker invoker, HttpSupport http, ObjectMapper appJson,
            GatewayMetrics metrics) {
        this.registry = registry;
        this.invoker = invoker;
        this.http = http;
        this.appJson = appJson;
        this.metrics = metrics;
    }

    void register(Context ctx) {
        http.requireAdmin(ctx);
        String source = new String(http.body(ctx), StandardCharsets.UTF_8);
        AppCompiler.Compiled app = compiler.compile(source);
        String id = ctx.queryParam("id") != null ? ctx.queryParam("id") : AppRegistry.defaultId(app.className());
        AppRegistry.Registered r = registry.register(id, app, "source");
        http.json(ctx, 201, describe(r));
    }

    void delete(Context ctx) {
        http.requireAdmin(ctx);
        String id = ctx.pathParam("id");
        if (!registry.remove(id)) {
            throw unknownApp(id);
        }
        ObjectNode n = appJson.createObjectNode().put("deleted", id);
        http.json(ctx, 200, n);
    }

    void list(Context ctx) {
        ArrayNode apps = appJson.createArrayNode();
        registry.list().forEach(r -> apps.add(describe(r)));
        ObjectNode n = appJson.createObjectNode();
        n.set("apps", apps);
        http.json(ctx, 200, n);
    }

    private ObjectNode describe(AppRegistry.Registered r) {
        ObjectNode n = appJson.createObjectNode();
        n.put("id", r.id()).put("class", r.app().className()).put("origin", r.origin())
                .put("streaming", r.app().streaming()).put("registered_at", r.registeredAt().toString());
        ObjectNode tasks = n.putObject("tasks");
        r.app().config().tasks().forEach((name, task) -> {
            ObjectNode t = tasks.putObject(name).put("model", task.model());
            ArrayNode outs = t.putArray("outputs");
            task.outputs().stream().map(m -> m.jsonName()).sorted().forEach(outs::add);
        });
        n.set("request_fields", fields(r.app().requestType()));
        n.set("response_fields", fields(r.app().responseType()));
        return n;
    }

    private ArrayNode fields(Class<?> record) {
        ArrayNode a = appJson.createArrayNode();
        var naming = (com.fasterxml.jackson.databind.PropertyNamingStrategies.NamingBase)
                com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE;
        for (RecordComponent c : record.getRecordComponents()) {
            a.add(naming.translate(c.getName()));
        }
        return a;
    }

    private ApiError unknownApp(String id) {
        return new ApiError(404, "no app '" + id + "' is registered; registered: "
                + String.join(", ", registry.list().stream().map(AppRegistry.Registered::id).toList()));
    }

    /** Runs one request through an app; records it under route "invoke". */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void invoke(Context ctx) throws Exception {
        long t0 = System.nanoTime();
        String id = ctx.pathParam("id");
        AppRegistry.Registered r = registry.get(id);
        InvokerAppContext appCtx = null;
        int status = 500;
        try {
            if (r == null) {
                throw unknownApp(id);
            }
            byte[] body = http.body(ctx);
            Object request;
            try {
                request = appJson.readValue(body, r.app().requestType());
            } catch (JsonProcessingException e) {
                throw new ApiError(400, JsonErrors.describe(e, "the request of app '" + id + "'"));
            } catch (IOException e) {
                throw new ApiError(400, "could not read the request of app '" + id + "': " + e.getMessage());
            }
            if (request == null) {
                throw new ApiError(400, "the request of app '" + id + "' is empty; send a JSON object with "
                        + fields(r.app().requestType()));
            }
            appCtx = new InvokerAppContext(id, r.app().config(), invoker, metrics);
            if (r.app().app() instanceof UnaryApp unary) {
                Object response = serveUnary(unary, request, appCtx);
                http.json(ctx, 200, appJson.valueToTree(response));
                status = 200;
            } else {
                status = serveStreaming((StreamingApp) r.app().app(), request, appCtx, ctx);
            }
        } catch (ApiError e) {
            status = e.status();
            throw e;
        } finally {
            long total = System.nanoTime() - t0;
            long inside = appCtx == null ? 0 : appCtx.nanosInsideInvoker();
            metrics.request("invoke", r == null ? "unknown" : id, status, total, total - inside);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object serveUnary(UnaryApp app, Object request, InvokerAppContext appCtx) throws Exception {
        try {
            return app.serve(request, appCtx);
        } catch (TaskFailedException e) {
            throw new ApiError(e.httpStatus(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        } catch (ApiError | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new ApiError(500, "app '" + appCtx.appId() + "' failed: " + e);
        }
    }

    /** Streams the app's chunks; returns the status recorded (200, 499 when the client left, or an error). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private int serveStreaming(StreamingApp app, Object request, InvokerAppContext appCtx, Context ctx)
            throws Exception {
        ChunkWriter writer = new ChunkWriter(ctx, ChunkWriter.Format.forAccept(ctx.header("Accept")));
        ChunkSink<Object> sink = chunk -> {
            try {
                writer.write(appJson.writeValueAsString(chunk));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("chunk of app '" + appCtx.appId() + "' is not JSON: " + e.getMessage());
            }
        };
        try {
            app.serve(request, appCtx, sink);
            writer.done();
            return 200;
        } catch (ClientGoneException | CancellationException e) {
            appCtx.cancel();
            return 499;
        } catch (TaskFailedException | IllegalArgumentException | IllegalStateException e) {
            appCtx.cancel();
            int status = e instanceof TaskFailedException t ? t.httpStatus() : e instanceof IllegalArgumentException
                    ? 400 : 500;
            if (!writer.started()) {
                throw new ApiError(status, e.getMessage());
            }
            streamError(writer, status, e.getMessage());
            return status;
        } catch (Exception e) {
            appCtx.cancel();
            if (!writer.started()) {
                throw new ApiError(500, "app '" + appCtx.appId() + "' failed: " + e);
            }
            streamError(writer, 500, "app '" + appCtx.appId() + "' failed: " + e);
            return 500;
        }
    }

    private void streamError(ChunkWriter writer, int status, String message) {
        ObjectNode err = appJson.createObjectNode();
        err.putObject("error").put("message", message).put("type", ApiError.type(status))
                .put("code", Integer.toString(status));
        try {
            writer.write(err.toString());
            writer.done();
        } catch (ClientGoneException ignored) {
            // nobody is left to tell
        }
    }

    /** Checks a built-in app class and begins registering it under {@code id} (its deployments start). */
    AppRegistry.Pending beginBuiltIn(String id, Class<?> appClass) {
        return registry.begin(id, AppCompiler.check(appClass), "built-in");
    }
}
