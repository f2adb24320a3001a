package org.cornserve.cli.deploy;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.launch.kubernetes.KubernetesSettings;
import org.cornserve.runtime.launch.kubernetes.Manifests;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cornserve deploy render --plan P --out DIR}: one YAML file per resource, in apply order. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Write the Kubernetes manifests of a plan (namespace, RBAC, plan config map, control-plane "
                + "Deployment and Service, one executor PodTemplate per deployment) for review and kubectl apply.")
public final class DeployRenderCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--plan", required = true, description = "the deployment plan (JSON)")
    Path plan;

    @Option(names = "--out", required = true, description = "the folder to write the YAML files into")
    Path out;

    @Option(names = "--namespace", defaultValue = "cornserve", description = "namespace (default ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = "--image", defaultValue = KubernetesSettings.DEFAULT_IMAGE,
            description = "container image with the Cornserve jars in " + KubernetesSettings.LIB
                    + " (default ${DEFAULT-VALUE})")
    String image;

    @Option(names = "--cpus-per-device", defaultValue = "8",
            description = "CPU cores an executor requests per device of its replica (default ${DEFAULT-VALUE})")
    int cpusPerDevice;

    @Override
    public Integer call() throws Exception {
        if (cpusPerDevice < 1) {
            throw new IllegalArgumentException("--cpus-per-device must be >= 1, got " + cpusPerDevice);
        }
        ResolvedPlan resolved = PlanValidator.builtIn().readAndValidate(plan);
        String json = Files.readString(plan, StandardCharsets.UTF_8);
        List<Manifests.Manifest> ms = Manifests.render(resolved, json,
                KubernetesSettings.defaults(namespace, image), cpusPerDevice);
        Files.createDirectories(out);
        PrintWriter w = spec.commandLine().getOut();
        for (Manifests.Manifest m : ms) {
            Files.writeString(out.resolve(m.file()), m.yaml(), StandardCharsets.UTF_8);
            w.printf("%-32s %s %s%n", m.file(), m.resource().getKind(), m.resource().getMetadata().getName());
        }
        w.println("apply with: kubectl apply -f " + out);
        w.flush();
        return 0;
    }
}
