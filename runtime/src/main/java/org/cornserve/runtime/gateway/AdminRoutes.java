package org.cornserve.runtime.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cornserve.runtime.serve.ScalingStats;

/**
 * {@code GET /admin/deployments} (each deployment's replicas, slots, and the apps using it) and
 * {@code POST /admin/devices/move}, both behind the admin token.
 */
final class AdminRoutes {
    private static final Set<String> MOVE_FIELDS = Set.of("from", "to", "slots");
    private final ResourceAdmin admin;
    private final HttpSupport http;

    AdminRoutes(ResourceAdmin admin, HttpSupport http) {
        this.admin = admin;
        this.http = http;
    }

    void deployments(Context ctx) {
        http.requireAdmin(ctx);
        ObjectNode body = http.mapper().createObjectNode();
        var list = body.putArray("deployments");
        java.util.Map<String, ScalingStats.Deployment> scaling = new java.util.HashMap<>();
        if (admin() instanceof ScalingStats stats) {
            stats.scaling().forEach(s -> scaling.put(s.name(), s));
        }
        for (ResourceAdmin.Deployment d : admin().deploymentsNow()) {
            ObjectNode n = list.addObject().put("name", d.name()).put("slots_per_replica", d.slotsPerReplica());
            ScalingStats.Deployment sc = scaling.get(d.name());
            java.util.Map<Integer, Double> startups = new java.util.HashMap<>();
            if (sc != null) {
                sc.startups().forEach(st -> startups.put(st.replica(), st.seconds()));
            }
            int live = 0;
            var rs = n.putArray("replicas");
            for (ResourceAdmin.Replica r : d.replicas()) {
                ObjectNode rn = rs.addObject().put("index", r.index()).put("status", r.status());
                if (startups.containsKey(r.index())) {
                    rn.put("startup_seconds", startups.get(r.index()));
                }
                live += "DOWN".equals(r.status()) || "REMOVED".equals(r.status()) ? 0 : 1;
            }
            n.put("slots", live * d.slotsPerReplica());
            var users = n.putArray("apps");
            d.apps().forEach(users::add);
            n.put("deployed", d.pinned() ? "with the plan" : d.apps().isEmpty() ? "no" : "by its apps");
            if (sc != null) {
                scaling(n, sc);
            }
        }
        http.json(ctx, 200, body);
    }

    /** The deployment's scaling: its settings (null when fixed) and the autoscaler's decisions so far. */
    private static void scaling(ObjectNode n, ScalingStats.Deployment sc) {
        ObjectNode a = n.putObject("scaling");
        if (sc.autoscale() == null) {
            a.putNull("autoscale");
        } else {
            a.putObject("autoscale").put("metric", sc.autoscale().metric()).put("target", sc.autoscale().target())
                    .put("min_replicas", sc.autoscale().minReplicas())
                    .put("max_replicas", sc.autoscale().maxReplicas());
        }
        a.put("replicas", sc.replicas()).put("starting", sc.starting()).put("up", sc.up())
                .put("draining", sc.draining()).put("scale_ups", sc.scaleUps()).put("scale_downs", sc.scaleDowns())
                .put("replica_seconds", sc.replicaSeconds());
        var events = a.putArray("events");
        sc.events().forEach(e -> events.addObject().put("at_s", e.atSeconds()).put("replica", e.replica())
                .put("kind", e.kind()));
    }

    void move(Context ctx) {
        http.requireAdmin(ctx);
        JsonNode req;
        try {
            req = http.mapper().readTree(http.body(ctx));
        } catch (IOException e) {
            throw new ApiError(400, "the body is not JSON: " + e.getMessage());
        }
        if (req == null || !req.isObject()) {
            throw new ApiError(400, "the body must be a JSON object {\"from\": DEPLOYMENT, \"to\": DEPLOYMENT, "
                    + "\"slots\": N}");
        }
        req.fieldNames().forEachRemaining(f -> {
            if (!MOVE_FIELDS.contains(f)) {
                throw new ApiError(400, "unknown field '" + f + "'; fields: from, to, slots");
            }
        });
        String from = text(req, "from");
        String to = text(req, "to");
        JsonNode slots = req.get("slots");
        if (slots != null && !slots.canConvertToInt()) {
            throw new ApiError(400, "field 'slots' must be a whole number; got " + slots);
        }
        int perReplica = admin().deploymentsNow().stream().filter(d -> d.name().equals(from))
                .mapToInt(ResourceAdmin.Deployment::slotsPerReplica).findFirst().orElse(1);
        try {
            String done = admin().moveSlots(from, to, slots == null ? perReplica : slots.intValue())
                    .get(10, TimeUnit.SECONDS);
            http.json(ctx, 200, http.mapper().createObjectNode().put("moved", done));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiError refused) {
                throw refused;
            }
            throw new ApiError(500, "the move failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new ApiError(503, "the control loop did not apply the move within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted while moving slots");
        }
    }

    private ResourceAdmin admin() {
        if (admin == null) {
            throw new ApiError(404, "this server has no resource manager (it serves with the in-process engine); "
                    + "admin device endpoints need the runtime's control plane");
        }
        return admin;
    }

    private static String text(JsonNode req, String field) {
        JsonNode n = req.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new ApiError(400, "field '" + field + "' must name a deployment (see GET /admin/deployments)");
        }
        return n.asText();
    }
}
