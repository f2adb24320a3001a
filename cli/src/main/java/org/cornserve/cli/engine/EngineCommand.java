package org.cornserve.cli.engine;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cornserve engine}: run the CPU compute engine directly. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Run requests and benchmarks on the CPU compute engine.",
        subcommands = {EngineRunCommand.class, EngineBenchCommand.class})
public final class EngineCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
