package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cornserve.runtime.gateway.Gateway;
import org.cornserve.runtime.gateway.GatewaySettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The resource manager's admin endpoints over real HTTP: list deployments, move a slot, and refusals. */
@Tag("integration")
class AdminMoveIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;


    @Test
    @Timeout(300)
    void aSlotMovesOverHttpAndBadMovesAreRefusedWithTheReason() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        String token = GatewaySettings.newAdminToken();
        try (ControlPlane runtime = AdminHttp.start("tiny-vl-two-image-one.json", "cpu:3",
                RuntimeOptions.defaults().withShmDir(shm));
                Gateway gateway = Gateway.start(GatewaySettings.loopback(0, token), runtime)) {
            String url = gateway.url();
            assertEquals(401, send(url, "GET", "/admin/deployments", null, null).statusCode());
            JsonNode before = deployments(url, token);
            assertEquals(List.of("UP", "UP"), statuses(before, "vl"), before.toString());
            assertEquals(List.of("UP"), statuses(before, "image"), before.toString());

            HttpResponse<String> unknown = send(url, "POST", "/admin/devices/move", token,
                    "{\"from\":\"nope\",\"to\":\"image\",\"slots\":1}");
            assertEquals(404, unknown.statusCode(), unknown.body());
            assertTrue(unknown.body().contains("'nope'") && unknown.body().contains("vl"), unknown.body());
            HttpResponse<String> tooMany = send(url, "POST", "/admin/devices/move", token,
                    "{\"from\":\"vl\",\"to\":\"image\",\"slots\":2}");
            assertEquals(409, tooMany.statusCode(), tooMany.body());
            assertTrue(tooMany.body().contains("keeps at least one"), tooMany.body());
            HttpResponse<String> badField = send(url, "POST", "/admin/devices/move", token,
                    "{\"from\":\"vl\",\"to\":\"image\",\"slot\":1}");
            assertEquals(400, badField.statusCode(), badField.body());
            assertTrue(badField.body().contains("'slot'"), badField.body());
            assertEquals(placement(before), placement(deployments(url, token)), "refused moves change nothing");

            HttpResponse<String> moved = send(url, "POST", "/admin/devices/move", token,
                    "{\"from\":\"vl\",\"to\":\"image\",\"slots\":1}");
            assertEquals(200, moved.statusCode(), moved.body());
            assertTrue(moved.body().contains("vl replica 1") && moved.body().contains("image replica 1"),
                    moved.body());
            long deadline = System.nanoTime() + 120_000_000_000L;
            JsonNode after = deployments(url, token);
            while (!(statuses(after, "image").equals(List.of("UP", "UP"))
                    && statuses(after, "vl").equals(List.of("UP", "REMOVED"))) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                after = deployments(url, token);
            }
            assertEquals(List.of("UP", "REMOVED"), statuses(after, "vl"), after.toString());
            assertEquals(List.of("UP", "UP"), statuses(after, "image"), after.toString());
            assertEquals(2, slots(after, "image"), after.toString());
            assertEquals(1, slots(after, "vl"), after.toString());
        }
        long until = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("pid " + p.pid())).toList(), "no executor is left");
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList());
        }
    }

    /** The deployments' replicas and slots, without their scaling (whose replica-seconds grow with time). */
    private static JsonNode placement(JsonNode all) {
        JsonNode copy = all.deepCopy();
        copy.get("deployments").forEach(d -> ((com.fasterxml.jackson.databind.node.ObjectNode) d).remove("scaling"));
        return copy;
    }

    private static JsonNode deployment(JsonNode all, String name) {
        return AdminHttp.deployment(all, name);
    }

    private static List<String> statuses(JsonNode all, String name) {
        return AdminHttp.statuses(all, name);
    }

    private static int slots(JsonNode all, String name) {
        return deployment(all, name).get("slots").asInt();
    }

    private static JsonNode deployments(String url, String token) throws Exception {
        return new AdminHttp(url, token).deployments();
    }

    private static HttpResponse<String> send(String url, String method, String path, String token, String body)
            throws Exception {
        return new AdminHttp(url, token).send(method, path, token != null, body);
    }
}
