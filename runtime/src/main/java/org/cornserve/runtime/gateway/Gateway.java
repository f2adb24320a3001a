package org.cornserve.runtime.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import org.cornserve.runtime.app.AppDeployer;
import org.cornserve.runtime.app.AppRegistry;
import org.cornserve.runtime.app.AppRejectedException;
import org.cornserve.runtime.app.builtin.BuiltInApps;
import org.cornserve.runtime.serve.ModelInvoker;
import org.cornserve.runtime.serve.ScalingStats;
import org.cornserve.runtime.serve.ServingStats;

/**
 * The gateway (Javalin): apps ({@code POST /apps}, {@code DELETE /apps/{id}}, {@code GET /apps},
 * {@code POST /apps/{id}/invoke}), OpenAI-style {@code GET /v1/models} and {@code POST /v1/chat/completions},
 * {@code GET /health} and {@code GET /metrics}. Requests reach models only through the {@link ModelInvoker}; the
 * built-in apps (chat, voice, arena, image) are registered at start when the invoker serves their models. An invoker
 * that is also an {@link AppDeployer} (the runtime's control plane) deploys what each app needs when it registers
 * and removes what no app uses when one leaves.
 *
 * <pre>{@code
 * try (ModelInvoker invoker = new LocalEngineInvoker(LocalEngineSettings.defaults(2));
 *      Gateway gateway = Gateway.start(GatewaySettings.loopback(0, GatewaySettings.newAdminToken()), invoker)) {
 *     System.out.println("listening on " + gateway.url());
 *     gateway.awaitStop();
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
    private final Javalin javalin;
    private final GatewayMetrics metrics;
    private final AppRegistry registry;
    private final GatewaySettings settings;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    private Gateway(GatewaySettings settings, ModelInvoker invoker) {
        this.settings = settings;
        ObjectMapper plain = new ObjectMapper();
        ObjectMapper appJson = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.registry = new AppRegistry(invoker.models(),
                invoker instanceof AppDeployer deployer ? deployer : AppDeployer.NONE);
        List<ServingStats.Deployment> none = List.of();
        List<ScalingStats.Deployment> fixed = List.of();
        this.metrics = new GatewayMetrics(invoker instanceof ServingStats s ? s::deployments : () -> none,
                () -> registry.list().size(), invoker instanceof ScalingStats sc ? sc::scaling : () -> fixed);
        HttpSupport http = new HttpSupport(plain, settings.maxBodyBytes(), settings.adminToken());
        AppRoutes apps = new AppRoutes(registry, invoker, http, appJson, metrics);
        ChatCompletionsRoute chat = new ChatCompletionsRoute(invoker, http, metrics);
        registerBuiltIns(apps);
        this.javalin = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.useVirtualThreads = true;
            cfg.http.maxRequestSize = settings.maxBodyBytes();
            cfg.http.disableCompression();
            cfg.jetty.defaultHost = settings.host();
        });
        javalin.post("/apps", apps::register);
        javalin.get("/apps", apps::list);
        javalin.delete("/apps/{id}", apps::delete);
        javalin.post("/apps/{id}/invoke", apps::invoke);
        javalin.get("/v1/models", chat::models);
        javalin.post("/v1/chat/completions", chat::complete);
        AdminRoutes admin = new AdminRoutes(invoker instanceof ResourceAdmin a ? a : null, http);
        javalin.get("/admin/deployments", admin::deployments);
        javalin.post("/admin/devices/move", admin::move);
        javalin.get("/health", ctx -> health(ctx, http, invoker));
        javalin.get("/metrics", ctx -> ctx.contentType(GatewayMetrics.contentType()).result(metrics.scrape()));
        javalin.exception(ApiError.class, (e, ctx) -> http.error(ctx, e.status(), e.getMessage()));
        javalin.exception(AppRejectedException.class, (e, ctx) -> {
            http.error(ctx, e.httpStatus(), e.getMessage());
            if (!e.diagnostics().isEmpty()) {
                ObjectNode body = plain.createObjectNode();
                ObjectNode err = body.putObject("error").put("message", e.getMessage())
                        .put("type", ApiError.type(e.httpStatus())).put("code", Integer.toString(e.httpStatus()));
                var list = err.putArray("diagnostics");
                e.diagnostics().forEach(d -> list.addObject().put("line", d.line()).put("column", d.column())
                        .put("message", d.message()));
                http.json(ctx, e.httpStatus(), body);
            }
        });
        javalin.exception(Exception.class, (e, ctx) -> http.error(ctx, 500, "internal error: " + e));
        javalin.error(404, ctx -> {
            if (ctx.attribute(HttpSupport.ANSWERED) == null) {
                http.error(ctx, 404, "no endpoint " + ctx.method() + " " + ctx.path() + "; see GET /health for the "
                        + "API");
            }
        });
        javalin.error(405, ctx -> {
            if (ctx.attribute(HttpSupport.ANSWERED) == null) {
                http.error(ctx, 405, "method " + ctx.method() + " is not allowed on " + ctx.path());
            }
        });
    }

    /**
     * Registers the built-in apps whose models (and unit tasks) the invoker serves, their deployments starting
     * together; returns once all serve.
     *
     * @throws IllegalStateException when a built-in app's deployments did not start (with the reason)
     */
    private void registerBuiltIns(AppRoutes apps) {
        List<AppRegistry.Pending> pending = new java.util.ArrayList<>();
        BuiltInApps.all().forEach((id, cls) -> {
            try {
                pending.add(apps.beginBuiltIn(id, cls));
            } catch (AppRejectedException e) {
                // the invoker does not serve this app's models: it is simply not offered
            }
        });
        List<String> failed = new java.util.ArrayList<>();
        for (AppRegistry.Pending p : pending) {
            try {
                registry.finish(p);
            } catch (AppRejectedException e) {
                if (e.httpStatus() >= 500) {
                    failed.add(p.id() + ": " + e.getMessage());
                } // else the plan cannot serve a unit task it needs (a 4xx): it is not offered
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("built-in apps could not be deployed: " + String.join("; ", failed));
        }
    }

    /** Starts a gateway in front of {@code invoker}; with port 0 a free port is picked (see {@link #port()}). */
    public static Gateway start(GatewaySettings settings, ModelInvoker invoker) {
        Gateway g = new Gateway(settings, invoker);
        g.javalin.start(settings.host(), settings.port());
        return g;
    }

    private void health(Context ctx, HttpSupport http, ModelInvoker invoker) {
        ObjectNode n = http.mapper().createObjectNode().put("status", "ok");
        var models = n.putArray("models");
        invoker.models().forEach(models::add);
        var apps = n.putArray("apps");
        registry.list().forEach(a -> apps.add(a.id()));
        var endpoints = n.putArray("endpoints");
        List.of("POST /apps (admin)", "DELETE /apps/{id} (admin)", "GET /apps", "POST /apps/{id}/invoke",
                "GET /v1/models", "POST /v1/chat/completions", "GET /admin/deployments (admin)",
                "POST /admin/devices/move (admin)", "GET /health", "GET /metrics").forEach(endpoints::add);
        http.json(ctx, 200, n);
    }

    /** The port listened on. */
    public int port() {
        return javalin.port();
    }

    /** {@code http://host:port}. */
    public String url() {
        return "http://" + settings.host() + ":" + port();
    }

    /** The gateway's metrics (also served at {@code /metrics}). */
    public GatewayMetrics metrics() {
        return metrics;
    }

    /** Blocks until {@link #close()} is called. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops listening; requests in progress are cut off. The invoker is not closed (its owner closes it). */
    @Override
    public void close() {
        javalin.stop();
        stopped.countDown();
    }
}
