package org.cornserve.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cornserve.cli.CornserveMain;
import org.cornserve.runtime.executor.ExecutorHealth;
import org.cornserve.runtime.launch.kubernetes.KubernetesSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The image (runtime/docker/Dockerfile) and the rendered pods agree: every container runs the Dockerfile's ENTRYPOINT
 * followed by JVM options and a main class that is on the class path, with the image given by --image; every
 * executor pod template's probes ask paths the executor's health server answers, on the port it is told to use.
 */
class DeployImageTest {
    private static final Path DOCKERFILE = Path.of("../runtime/docker/Dockerfile");

    @TempDir
    Path tmp;

    private List<HasMetadata> render(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("deploy", "render", "--plan",
                "../experiments/plans/qwen2.5-vl-7b-8xh100-encoder-split.json", "--out", tmp.toString()));
        args.addAll(List.of(extra));
        CommandLine cl = CornserveMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        List<HasMetadata> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path f : s.sorted().toList()) {
                out.add((HasMetadata) Serialization.unmarshal(Files.readString(f)));
            }
        }
        return out;
    }

    private static String instruction(List<String> lines, String name) {
        List<String> found = lines.stream().filter(l -> l.startsWith(name + " ")).toList();
        assertEquals(1, found.size(), "one " + name + " in " + DOCKERFILE + ": " + found);
        return found.get(0).substring(name.length() + 1).trim();
    }

    private static List<String> entrypoint() throws Exception {
        List<String> lines = Files.readAllLines(DOCKERFILE);
        String json = instruction(lines, "ENTRYPOINT");
        List<String> ep = List.of(new ObjectMapper().readValue(json, String[].class));
        return ep;
    }

    /** Pairs of (container, pod spec) of every workload in the rendered manifests. */
    private static List<Container> containers(List<HasMetadata> resources) {
        List<Container> cs = new ArrayList<>();
        for (HasMetadata r : resources) {
            PodSpec spec = r instanceof Deployment d ? d.getSpec().getTemplate().getSpec()
                    : r instanceof PodTemplate t ? t.getTemplate().getSpec() : null;
            if (spec != null) {
                cs.addAll(spec.getContainers());
            }
        }
        return cs;
    }

    @Test
    void dockerfileEntrypointIsThePodsCommandPrefix() throws Exception {
        List<String> lines = Files.readAllLines(DOCKERFILE);
        String from = instruction(lines, "FROM");
        String registryPart = from.contains("/") ? from.substring(0, from.indexOf('/')) : "";
        assertFalse(registryPart.contains(".") || registryPart.contains(":") || registryPart.equals("localhost"),
                "FROM names a registry host: " + from);
        // a JDK: the control plane compiles apps with javax.tools, which a JRE image lacks
        assertTrue(from.matches("eclipse-temurin:(2[1-9]|[3-9]\\d)-jdk.*"), "FROM is a JDK 21+ image: " + from);
        String copy = instruction(lines, "COPY");
        assertEquals("cli/target/cornserve.jar " + KubernetesSettings.LIB + "/cornserve.jar", copy);
        List<String> ep = entrypoint();
        assertEquals(KubernetesSettings.ENTRYPOINT, ep);

        List<Container> cs = containers(render("--image", "my-cornserve:test"));
        assertEquals(3, cs.size(), "control plane + 2 executor templates");
        for (Container c : cs) {
            assertEquals("my-cornserve:test", c.getImage(), c.getName());
            List<String> cmd = c.getCommand();
            assertEquals(ep, cmd.subList(0, ep.size()), c.getName() + " runs " + cmd);
            // after the entrypoint: JVM options, then a main class the jar holds
            int i = ep.size();
            while (cmd.get(i).startsWith("-")) {
                i++;
            }
            assertNotNull(Class.forName(cmd.get(i)).getMethod("main", String[].class), cmd.get(i));
        }
        // default image: a local name, no registry
        for (Container c : containers(render())) {
            assertEquals(KubernetesSettings.DEFAULT_IMAGE, c.getImage());
            assertFalse(c.getImage().contains("/"), c.getImage());
        }
    }

    @Test
    void executorProbesAskPathsTheHealthServerAnswers() throws Exception {
        List<HasMetadata> resources = render();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int templates = 0;
        try (ExecutorHealth health = ExecutorHealth.start(0)) {
            for (HasMetadata r : resources) {
                if (!(r instanceof PodTemplate t)) {
                    continue;
                }
                templates++;
                Container c = t.getTemplate().getSpec().getContainers().get(0);
                String args = t.getMetadata().getAnnotations().get("cornserve.io/args");
                for (Probe p : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
                    assertNotNull(p, t.getMetadata().getName() + " lacks a probe");
                    String portName = p.getHttpGet().getPort().getStrVal();
                    ContainerPort port = c.getPorts().stream().filter(x -> x.getName().equals(portName))
                            .findFirst().orElseThrow(() -> new AssertionError("no port " + portName));
                    assertEquals(ExecutorHealth.DEFAULT_PORT, port.getContainerPort());
                    assertTrue(args.contains("--health-port " + port.getContainerPort()), args);
                    URI uri = URI.create("http://127.0.0.1:" + health.port() + p.getHttpGet().getPath());
                    health.markReady();
                    HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, res.statusCode(), uri + ": " + res.body());
                }
            }
        }
        assertEquals(2, templates);
        // the server does not answer 200 to everything: unknown paths are 404, readiness waits for warm-up
        try (ExecutorHealth health = ExecutorHealth.start(0)) {
            String base = "http://127.0.0.1:" + health.port();
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(503, http.send(HttpRequest.newBuilder(URI.create(base + ExecutorHealth.READY_PATH)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + ExecutorHealth.LIVE_PATH)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
