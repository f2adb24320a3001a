package org.cornserve.cli.trace;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cornserve trace ...}: convert, generate, transform and summarise workload traces. */
@Command(
        name = "trace",
        mixinStandardHelpOptions = true,
        description = "Convert, generate, transform and summarise workload traces (canonical JSON Lines).",
        subcommands = {
            TraceConvertCommand.class,
            TraceGenerateCommand.class,
            TraceTransformCommand.class,
            TraceStatsCommand.class,
        })
public final class TraceCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
