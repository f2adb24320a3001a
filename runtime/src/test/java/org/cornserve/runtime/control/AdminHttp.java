package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.plan.PlanValidator;

/** A bounded HTTP client of one gateway's admin endpoints, and readers of {@code GET /admin/deployments}. */
final class AdminHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String token;

    AdminHttp(String url, String token) {
        this.url = url;
        this.token = token;
    }

    /** Starts a runtime of a test plan ({@code src/test/resources/plans/NAME}) on {@code devices} (cpu:N). */
    static ControlPlane start(String plan, String devices, RuntimeOptions options) {
        return Runtimes.start(PlanValidator.builtIn().readAndValidate(java.nio.file.Path.of("src/test/resources/plans",
                plan)), DeviceSlots.parse(devices), options);
    }

    /** Sends a request, with the admin token when {@code admin}; a null body sends none. */
    HttpResponse<String> send(String method, String path, boolean admin, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(180))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (admin) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET /admin/deployments}, which must answer 200. */
    JsonNode deployments() throws Exception {
        HttpResponse<String> r = send("GET", "/admin/deployments", true, null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static JsonNode deployment(JsonNode all, String name) {
        for (JsonNode d : all.get("deployments")) {
            if (d.get("name").asText().equals(name)) {
                return d;
            }
        }
        throw new AssertionError("no deployment " + name + " in " + all);
    }

    /** Every replica's status, removed ones included, in index order. */
    static List<String> statuses(JsonNode all, String name) {
        List<String> out = new ArrayList<>();
        deployment(all, name).get("replicas").forEach(r -> out.add(r.get("status").asText()));
        return out;
    }

    /** The apps using a deployment, in the order they came. */
    static List<String> apps(JsonNode all, String name) {
        List<String> out = new ArrayList<>();
        deployment(all, name).get("apps").forEach(a -> out.add(a.asText()));
        return out;
    }
}
