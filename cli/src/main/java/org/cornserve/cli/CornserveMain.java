package org.cornserve.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cornserve} command. Each subcommand lives in its own class and is listed here. */
@Command(
        name = "cornserve",
        mixinStandardHelpOptions = true,
        version = "cornserve 0.1.0",
        description = "Plan, simulate and serve Any-to-Any multimodal models.",
        subcommands = {
            CommandLine.HelpCommand.class,
            org.cornserve.cli.validate.DemoCommand.class,
            org.cornserve.cli.catalog.ModelsCommand.class,
            org.cornserve.cli.catalog.HardwareCommand.class,
            org.cornserve.cli.plan.PlanCommand.class,
            org.cornserve.cli.plan.CompareCommand.class,
            org.cornserve.cli.plan.CapacityCommand.class,
            org.cornserve.cli.plan.PlanMixedCommand.class,
            org.cornserve.cli.experiment.HeadlineCommand.class,
            org.cornserve.cli.experiment.ScalingCommand.class,
            org.cornserve.cli.experiment.ExperimentCommand.class,
            org.cornserve.cli.trace.TraceCommand.class,
            org.cornserve.cli.profile.ProfileCommand.class,
            org.cornserve.cli.simulate.SimulateCommand.class,
            org.cornserve.cli.replay.ReplayCommand.class,
            org.cornserve.cli.validate.ValidateCommand.class,
            org.cornserve.cli.plot.PlotCommand.class,
            org.cornserve.cli.engine.EngineCommand.class,
            org.cornserve.cli.serve.ServeCommand.class,
            org.cornserve.cli.deploy.DeployCommand.class,
        })
public final class CornserveMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine lean = args.length == 0 ? null : commandLineFor(args[0]);
        System.exit((lean != null ? lean : commandLine()).execute(args));
    }

    /** The configured command line, shared by main and tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CornserveMain());
        StringBuilder all = new StringBuilder("%nEvery command:%n");
        listLeaves(cl, "", all);
        cl.getCommandSpec().usageMessage().footer(all.toString());
        return configure(cl);
    }

    /**
     * A command line holding the root and only the subcommand named {@code name}, configured as in
     * {@link #commandLine()}, or null when no subcommand has that name (help, a typo, an option): a run of one
     * command then parses, prints usage and reports errors as in the full tree, without building the other
     * commands' models (picocli reflects over every option of every command; that was most of a one-pass
     * {@code simulate}'s start-up).
     */
    static CommandLine commandLineFor(String name) {
        for (Class<?> type : CornserveMain.class.getAnnotation(Command.class).subcommands()) {
            Command command = type.getAnnotation(Command.class);
            if (type == CommandLine.HelpCommand.class || command == null
                    || !(command.name().equals(name) || Arrays.asList(command.aliases()).contains(name))) {
                continue;
            }
            CommandLine.Model.CommandSpec root = CommandLine.Model.CommandSpec.create().name("cornserve");
            root.addSubcommand(command.name(), new CommandLine(type));
            return configure(new CommandLine(root));
        }
        return null;
    }

    private static CommandLine configure(CommandLine cl) {
        cl.setUsageHelpWidth(120);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            if (System.getenv("CORNSERVE_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        return cl;
    }

    /** Appends one line per runnable leaf command ("trace convert  Convert ..."), depth first. */
    private static void listLeaves(CommandLine command, String prefix, StringBuilder out) {
        for (var entry : command.getSubcommands().entrySet()) {
            CommandLine sub = entry.getValue();
            if (sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            String name = prefix + entry.getKey();
            if (sub.getSubcommands().isEmpty()) {
                String[] description = sub.getCommandSpec().usageMessage().description();
                String line = description.length == 0 ? "" : description[0].replace("%n", " ");
                int stop = line.indexOf(". ");
                line = stop > 0 ? line.substring(0, stop + 1) : line;
                int room = 120 - 2 - 10 - 27;
                line = line.length() > room ? line.substring(0, room - 3) + "..." : line;
                out.append(String.format("  cornserve %-26s %s%%n", name, line.replace("%", "%%")));
            } else {
                listLeaves(sub, name + " ", out);
            }
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
