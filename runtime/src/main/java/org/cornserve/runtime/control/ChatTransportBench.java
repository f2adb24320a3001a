package org.cornserve.runtime.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.gateway.Gateway;
import org.cornserve.runtime.gateway.GatewaySettings;

/**
 * End-to-end latency of the multimodal chat app with an image, by tensor transport: a plan that puts tiny-vl's
 * vision encoder and its LLM in separate deployments is served by executor processes behind the real gateway, and
 * the same requests (image {@code i} and sampling seed {@code i} for request {@code i}) go to {@code POST
 * /apps/chat/invoke} one after another, for each transport in turn. With {@code socket} the image's pixels stream from
 * the control plane to the encoder's sidecar and its embeddings from the encoder's sidecar to the LLM's, over
 * loopback; with {@code shm} both are read in place.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp CP org.cornserve.runtime.control.ChatTransportBench PLAN
 * [REQUESTS] [IMAGE_SIDE] [MODE ...]} (default 40 requests, 224-pixel images, shm then socket).
 */
public final class ChatTransportBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatTransportBench() {
    }

    /** One transport's run: the answers in request order, the latency figures, what streamed (measured requests). */
    public record Result(TensorTransport.Mode mode, List<String> answers, long p50Micros, long p99Micros,
            long maxMicros, long streamedTensors, long streamedBytes) {
    }

    /** A {@code side} x {@code side} PNG of seeded noise as a data URL. */
    static String image(int side, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] rgb = new float[side * side * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (float) rnd.nextDouble();
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(ImageFiles.pngBytes(rgb, side, side));
    }

    /**
     * Serves {@code plan} with {@code options} (its tensor transport), sends {@code warmup} unmeasured requests, then
     * {@code requests} measured ones, each waiting for the previous answer.
     */
    public static Result run(ResolvedPlan plan, DeviceSlots devices, RuntimeOptions options, int warmup, int requests,
            int imageSide, int maxTokens) throws IOException, InterruptedException {
        try (ControlPlane runtime = Runtimes.start(plan, devices, options)) {
            return run(runtime, warmup, requests, imageSide, maxTokens);
        }
    }

    /** As above on a control plane already serving a plan that has tiny-vl (closed by the caller). */
    public static Result run(ControlPlane runtime, int warmup, int requests, int imageSide, int maxTokens)
            throws IOException, InterruptedException {
        TensorTransport.Mode mode = runtime.tensorTransport().mode();
        List<String> images = new ArrayList<>();
        for (int i = 0; i < warmup + requests; i++) {
            images.add(image(imageSide, i));
        }
        Histogram latency = new Histogram(3);
        List<String> answers = new ArrayList<>();
        SidecarTensorTransport t = runtime.tensorTransport();
        long tensorsBefore = t.streamedTensors();
        long bytesBefore = t.streamedBytes();
        Gateway gateway = Gateway.start(new GatewaySettings("127.0.0.1", 0, GatewaySettings.DEFAULT_MAX_BODY_BYTES,
                GatewaySettings.newAdminToken()), runtime);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create(gateway.url() + "/apps/chat/invoke");
            for (int i = 0; i < warmup + requests; i++) {
                if (i == warmup) {
                    tensorsBefore = t.streamedTensors();
                    bytesBefore = t.streamedBytes();
                }
                String body = JSON.createObjectNode().put("prompt", "What is in this picture?")
                        .put("max_tokens", maxTokens).put("temperature", 0.7).put("seed", i)
                        .set("images", JSON.createArrayNode().add(images.get(i))).toString();
                long t0 = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                long micros = (System.nanoTime() - t0) / 1000;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("chat request " + i + " with " + mode
                            + " answered " + r.statusCode() + ": " + r.body());
                }
                if (i >= warmup) {
                    latency.recordValue(micros);
                    JsonNode n = JSON.readTree(r.body());
                    answers.add(n.get("text").asText() + " [" + n.get("prompt_tokens").asInt() + "+"
                            + n.get("completion_tokens").asInt() + " tokens]");
                }
            }
        } finally {
            gateway.close();
        }
        return new Result(mode, List.copyOf(answers), latency.getValueAtPercentile(50),
                latency.getValueAtPercentile(99), latency.getMaxValue(), t.streamedTensors() - tensorsBefore,
                t.streamedBytes() - bytesBefore);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ChatTransportBench PLAN [REQUESTS] [IMAGE_SIDE] [auto|shm|socket ...]");
            System.exit(2);
        }
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(Path.of(args[0]));
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int side = args.length > 2 ? Integer.parseInt(args[2]) : 224;
        List<TensorTransport.Mode> modes = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            modes.add(TensorTransport.Mode.byName(args[i]));
        }
        if (modes.isEmpty()) {
            modes = List.of(TensorTransport.Mode.SHM, TensorTransport.Mode.SOCKET);
        }
        List<Result> results = new ArrayList<>();
        for (TensorTransport.Mode m : modes) {
            results.add(run(plan, DeviceSlots.parse("cpu:" + Math.max(1, plan.devicesUsed())),
                    RuntimeOptions.defaults().withTensorTransport(m), 3, requests, side, 16));
        }
        System.out.printf(Locale.ROOT, "chat app, %d requests of one %dx%d image, 16 tokens each, one at a time%n",
                requests, side, side);
        System.out.println("transport  p50_ms  p99_ms  max_ms  streamed_tensors  streamed_MB  same_answers_as_first");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-9s  %6.1f  %6.1f  %6.1f  %16d  %11.1f  %s%n",
                    r.mode().name().toLowerCase(Locale.ROOT), r.p50Micros() / 1e3, r.p99Micros() / 1e3,
                    r.maxMicros() / 1e3, r.streamedTensors(), r.streamedBytes() / 1e6,
                    r.answers().equals(results.get(0).answers()));
        }
    }
}
