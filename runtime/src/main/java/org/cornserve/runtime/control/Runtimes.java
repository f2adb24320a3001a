package org.cornserve.runtime.control;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.cornserve.runtime.launch.kubernetes.KubernetesLauncher;
import org.cornserve.runtime.launch.kubernetes.KubernetesSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.launch.LocalProcessLauncher;

/** Starting a runtime: the embedded default plan and the factory a {@code serve} command calls. */
public final class Runtimes {
    /** The embedded default plan: tiny-omni on this machine's CPU, thinker and speech on one slot each. */
    public static final String DEFAULT_PLAN_RESOURCE = "/org/cornserve/runtime/control/tiny-omni-cpu.json";

    private Runtimes() {
    }

    /** The embedded default plan, validated. */
    public static ResolvedPlan defaultPlan() {
        try (InputStream in = Runtimes.class.getResourceAsStream(DEFAULT_PLAN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default plan " + DEFAULT_PLAN_RESOURCE + " is missing");
            }
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return PlanValidator.builtIn().validate(Json.parse(json, DEFAULT_PLAN_RESOURCE, DeploymentPlan.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts serving {@code plan} on {@code devices} with local executor processes and default options; returns
     * once every executor is ready. Close the result to stop everything.
     */
    public static ControlPlane start(ResolvedPlan plan, DeviceSlots devices) {
        return start(plan, devices, RuntimeOptions.defaults());
    }

    /** As {@link #start(ResolvedPlan, DeviceSlots)} with {@code options}. */
    public static ControlPlane start(ResolvedPlan plan, DeviceSlots devices, RuntimeOptions options) {
        ServablePlans.require(plan);
        LocalProcessLauncher launcher = new LocalProcessLauncher();
        try {
            return new ControlPlane(plan, devices, options, launcher, launcher);
        } catch (RuntimeException e) {
            launcher.close();
            throw e;
        }
    }

    /**
     * Starts serving {@code plan} with each executor a pod in {@code settings.namespace()} (the client's
     * configuration: in-cluster service account, else {@code ~/.kube/config}); each replica's executor requests
     * {@code threadsPerDevice} CPU cores per device. Returns once every executor pod is ready and its executor
     * connected.
     */
    public static ControlPlane startOnKubernetes(ResolvedPlan plan, KubernetesSettings settings, int threadsPerDevice,
            RuntimeOptions options) {
        ServablePlans.require(plan);
        KubernetesClient client = new KubernetesClientBuilder().build();
        KubernetesLauncher launcher;
        try {
            launcher = new KubernetesLauncher(client, plan, settings);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        AutoCloseable owned = () -> {
            launcher.close();
            client.close();
        };
        try {
            return new ControlPlane(plan, new DeviceSlots("cpu", Math.max(1, plan.devicesUsed()), threadsPerDevice),
                    options, launcher, owned);
        } catch (RuntimeException e) {
            launcher.close();
            client.close();
            throw e;
        }
    }
}
