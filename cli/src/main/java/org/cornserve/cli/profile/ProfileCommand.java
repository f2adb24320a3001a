package org.cornserve.cli.profile;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cornserve profile ...}: performance profiles of unit tasks. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Performance profiles of unit tasks (roofline estimates, measurements on real executors, calibration; saved as JSON).",
        subcommands = {ProfileEstimateCommand.class, ProfileMeasureCommand.class, ProfileCalibrateCommand.class,
            ProfileReplayCommand.class, ProfileDecodeCheckCommand.class})
public final class ProfileCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
