package org.cornserve.runtime.gateway;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Recorder;
import org.cornserve.runtime.app.CallObserver;
import org.cornserve.runtime.serve.ScalingStats;
import org.cornserve.runtime.serve.ServingStats;

/**
 * The gateway's Prometheus metrics (Prometheus Java client): requests by route, target and status; end-to-end
 * latency and the gateway's own overhead (time outside the invoker); TTFT and TPOT per model; and, read from the
 * invoker's {@link ServingStats} at each scrape, queue length, running work, utilisation, executor restarts and
 * retried requests per deployment. The overhead is also kept in an HdrHistogram for exact percentiles.
 */
public final class GatewayMetrics implements CallObserver {
    private static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10, 30, 60};
    private static final double[] OVERHEAD_BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01,
        0.025, 0.05, 0.1};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Histogram overhead;
    private final Histogram ttft;
    private final Histogram tpot;
    private final Counter calls;
    private final Recorder overheadNanos = new Recorder(3);
    private final org.HdrHistogram.Histogram overheadTotal = new org.HdrHistogram.Histogram(3);

    /** Metrics reading deployments from {@code stats} (an empty list when the invoker has none). */
    public GatewayMetrics(Supplier<List<ServingStats.Deployment>> stats, IntSupplier appsRegistered) {
        this(stats, appsRegistered, List::of);
    }

    /**
     * As above, with each deployment's replicas, scaling decisions and replica start-ups read from {@code scaling}
     * at each scrape: {@code cornserve_deployment_replicas{deployment, state}} (starting, up, draining),
     * {@code cornserve_scale_ups_total} and {@code cornserve_scale_downs_total} (the autoscaler's decisions),
     * {@code cornserve_deployment_replicas_min} / {@code _max} (scaled deployments' bounds) and
     * {@code cornserve_replica_startup_seconds{deployment, replica}} (launch to ready, measured) and
     * {@code cornserve_replica_seconds_total{deployment}} (replica-seconds held).
     */
    public GatewayMetrics(Supplier<List<ServingStats.Deployment>> stats, IntSupplier appsRegistered,
            Supplier<List<ScalingStats.Deployment>> scaling) {
        requests = Counter.builder().name("cornserve_requests_total")
                .help("requests answered, by route (invoke, chat), target (app or model) and HTTP status")
                .labelNames("route", "target", "status").register(registry);
        latency = Histogram.builder().name("cornserve_request_duration_seconds")
                .help("end-to-end request latency at the gateway").classicUpperBounds(LATENCY_BUCKETS)
                .classicOnly().labelNames("route", "target").register(registry);
        overhead = Histogram.builder().name("cornserve_gateway_overhead_seconds")
                .help("time a request spent in the gateway outside the model invoker")
                .classicUpperBounds(OVERHEAD_BUCKETS).classicOnly().labelNames("route").register(registry);
        ttft = Histogram.builder().name("cornserve_time_to_first_token_seconds")
                .help("from handing a call to the invoker to its first text").classicUpperBounds(LATENCY_BUCKETS)
                .classicOnly().labelNames("model").register(registry);
        tpot = Histogram.builder().name("cornserve_time_per_output_token_seconds")
                .help("mean time between a call's text tokens after the first").classicUpperBounds(OVERHEAD_BUCKETS)
                .classicOnly().labelNames("model").register(registry);
        calls = Counter.builder().name("cornserve_model_calls_total")
                .help("task calls to the invoker by model and outcome (ok, or the failing HTTP status)")
                .labelNames("model", "outcome").register(registry);
        GaugeWithCallback.builder().name("cornserve_deployment_queue_length")
                .help("work waiting in a deployment's queue").labelNames("deployment")
                .callback(cb -> stats.get().forEach(d -> cb.call(d.queued(), d.name()))).register(registry);
        GaugeWithCallback.builder().name("cornserve_deployment_running")
                .help("work a deployment is computing now").labelNames("deployment")
                .callback(cb -> stats.get().forEach(d -> cb.call(d.running(), d.name()))).register(registry);
        GaugeWithCallback.builder().name("cornserve_deployment_utilisation")
                .help("fraction of the last seconds a deployment's replicas spent computing").labelNames("deployment")
                .callback(cb -> stats.get().forEach(d -> cb.call(d.utilisation(), d.name()))).register(registry);
        CounterWithCallback.builder().name("cornserve_executor_restarts")
                .help("executors restarted after a failure").labelNames("deployment")
                .callback(cb -> stats.get().forEach(d -> cb.call(d.restarts(), d.name()))).register(registry);
        CounterWithCallback.builder().name("cornserve_requests_retried")
                .help("requests that lost work with an executor that died and ran again on another replica")
                .labelNames("deployment")
                .callback(cb -> stats.get().forEach(d -> cb.call(d.retries(), d.name()))).register(registry);
        GaugeWithCallback.builder().name("cornserve_deployment_replicas")
                .help("a deployment's replicas by state: starting (executor loading), up (serving), draining (removed, "
                        + "finishing its work)").labelNames("deployment", "state")
                .callback(cb -> scaling.get().forEach(d -> {
                    cb.call(d.starting(), d.name(), "starting");
                    cb.call(d.up(), d.name(), "up");
                    cb.call(d.draining(), d.name(), "draining");
                })).register(registry);
        CounterWithCallback.builder().name("cornserve_scale_ups")
                .help("replicas the autoscaler added").labelNames("deployment")
                .callback(cb -> scaling.get().forEach(d -> cb.call(d.scaleUps(), d.name()))).register(registry);
        CounterWithCallback.builder().name("cornserve_scale_downs")
                .help("replicas the autoscaler removed (each drains, then stops)").labelNames("deployment")
                .callback(cb -> scaling.get().forEach(d -> cb.call(d.scaleDowns(), d.name()))).register(registry);
        CounterWithCallback.builder().name("cornserve_replica_seconds")
                .help("replica-seconds a deployment held: each replica from its start to its stop, loading and "
                        + "draining included").labelNames("deployment")
                .callback(cb -> scaling.get().forEach(d -> cb.call(d.replicaSeconds(), d.name()))).register(registry);
        GaugeWithCallback.builder().name("cornserve_deployment_replicas_min")
                .help("a scaled deployment's fewest replicas").labelNames("deployment")
                .callback(cb -> scaling.get().stream().filter(d -> d.autoscale() != null)
                        .forEach(d -> cb.call(d.autoscale().minReplicas(), d.name()))).register(registry);
        GaugeWithCallback.builder().name("cornserve_deployment_replicas_max")
                .help("a scaled deployment's most replicas").labelNames("deployment")
                .callback(cb -> scaling.get().stream().filter(d -> d.autoscale() != null)
                        .forEach(d -> cb.call(d.autoscale().maxReplicas(), d.name()))).register(registry);
        GaugeWithCallback.builder().name("cornserve_replica_startup_seconds")
                .help("a replica's measured start-up, its executor's launch to ready (process, weights, warm-up)")
                .labelNames("deployment", "replica")
                .callback(cb -> scaling.get().forEach(d -> d.startups().forEach(st -> cb.call(st.seconds(), d.name(),
                        Integer.toString(st.replica()))))).register(registry);
        GaugeWithCallback.builder().name("cornserve_apps_registered").help("apps registered now")
                .callback(cb -> cb.call(appsRegistered.getAsInt())).register(registry);
    }

    /** Records one answered request. */
    public void request(String route, String target, int status, long totalNanos, long overheadNanosValue) {
        requests.labelValues(route, target, Integer.toString(status)).inc();
        latency.labelValues(route, target).observe(totalNanos / 1e9);
        long o = Math.max(0, overheadNanosValue);
        overhead.labelValues(route).observe(o / 1e9);
        overheadNanos.recordValue(o);
    }

    @Override
    public void callEnded(Call call) {
        calls.labelValues(call.model(), call.failure() == null ? "ok"
                : Integer.toString(call.failure().httpStatus())).inc();
        if (call.failure() == null && call.firstTokenNanos() >= 0) {
            ttft.labelValues(call.model()).observe((call.firstTokenNanos() - call.startNanos()) / 1e9);
            if (call.completionTokens() > 1 && call.lastTextNanos() > call.firstTokenNanos()) {
                tpot.labelValues(call.model()).observe((call.lastTextNanos() - call.firstTokenNanos()) / 1e9
                        / (call.completionTokens() - 1));
            }
        }
    }

    /** Every request's gateway overhead so far, in nanoseconds (a copy). */
    public synchronized org.HdrHistogram.Histogram overheadHistogram() {
        overheadTotal.add(overheadNanos.getIntervalHistogram());
        return overheadTotal.copy();
    }

    /** Forgets the overhead recorded so far (to measure a window, e.g. after warm-up). */
    public synchronized void resetOverhead() {
        overheadNanos.reset();
        overheadTotal.reset();
    }

    /** The Prometheus text exposition of every metric now. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The content type of {@link #scrape()}. */
    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
