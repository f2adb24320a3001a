package org.cornserve.runtime.control;

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
        LocalProcessLauncher launcher = new LocalProcessLauncher();
        try {
            return new ControlPlane(plan, devices, options, launcher, launcher);
        } catch (RuntimeException e) {
            launcher.close();
            throw e;
        }
    }
}
