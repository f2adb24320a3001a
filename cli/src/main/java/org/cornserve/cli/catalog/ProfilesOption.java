package org.cornserve.cli.catalog;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.model.profile.ProfileCosts;
import org.cornserve.model.task.UnitTask;
import picocli.CommandLine.Option;

/**
 * {@code --profiles FILE...}: profile files ({@code cornserve profile measure}, or {@code profile estimate} output)
 * whose profiles replace the roofline estimate task by task; a task on a hardware kind and device count with no
 * profile keeps the estimate. Queries outside a profile's grid are answered by the roofline and counted.
 */
public final class ProfilesOption {
    @Option(names = "--profiles", paramLabel = "FILE", arity = "1..*",
            description = "profile files (e.g. from 'profile measure') replacing estimated profiles task by task")
    List<Path> files = new ArrayList<>();

    private ProfileBook book;
    private final ProfileCosts.Fallbacks fallbacks = new ProfileCosts.Fallbacks();

    /** The profiles given (read once); empty without the option. */
    public ProfileBook book() {
        if (book == null) {
            book = files.isEmpty() ? ProfileBook.EMPTY : ProfileBook.load(files);
        }
        return book;
    }

    /** Counts cost queries that fell outside a given profile's grid. */
    public ProfileCosts.Fallbacks fallbacks() {
        return fallbacks;
    }

    /** Says, deployment by deployment, which of the plan's tasks use a given profile. */
    public void describe(ResolvedPlan plan, PrintWriter err) {
        if (book().isEmpty()) {
            return;
        }
        for (ResolvedDeployment rd : plan.deployments()) {
            List<String> used = new ArrayList<>();
            for (UnitTask t : rd.tasks()) {
                book().find(t.id(), rd.hardware().name(), rd.deployment().devicesPerReplica())
                        .ifPresent(p -> used.add(t.id() + " (" + p.source().jsonName() + ")"));
            }
            err.printf(Locale.ROOT, "profiles: deployment %s on %d x %s: %s%n", rd.deployment().name(),
                    rd.deployment().devicesPerReplica(), rd.hardware().name(),
                    used.isEmpty() ? "none given, roofline estimates" : String.join(", ", used)
                            + (used.size() < rd.tasks().size() ? "; the rest roofline estimates" : ""));
        }
        err.flush();
    }

    /** After a run: how many cost queries the roofline answered because they fell outside a profile's grid. */
    public void reportFallbacks(PrintWriter err) {
        if (!book().isEmpty() && fallbacks.queries() > 0) {
            err.printf(Locale.ROOT, "profiles: %d of %d cost queries fell outside the given profiles' grids (roofline"
                    + " estimate used there)%n", fallbacks.outsideGrid(), fallbacks.queries());
            err.flush();
        }
    }
}
