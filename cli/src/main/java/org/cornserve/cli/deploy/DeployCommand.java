package org.cornserve.cli.deploy;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cornserve deploy ...}: run a plan past one machine. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Run a plan on a Kubernetes cluster: render the manifests to review and apply.",
        subcommands = {DeployRenderCommand.class})
public final class DeployCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
