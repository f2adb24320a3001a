package org.cornserve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The one-command tree {@code main} builds for a run of one command behaves as the full tree does. */
class CornserveMainTest {
    /** Every command path (["simulate"], ["trace", "convert"], ...) of the full tree, depth first. */
    private static void paths(CommandLine cl, List<String> prefix, List<List<String>> out) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path);
            paths(e.getValue(), path, out);
        }
    }

    @Test
    void everyCommandPrintsTheSameHelpAndErrorsAsInTheFullTree() {
        CommandLine full = CornserveMain.commandLine();
        List<List<String>> all = new ArrayList<>();
        paths(full, List.of(), all);
        assertEquals(true, all.size() > 20, all.toString());
        for (List<String> path : all) {
            for (String last : new String[] {"--help", "--no-such-option"}) {
                List<String> args = new ArrayList<>(path);
                args.add(last);
                String[] a = args.toArray(String[]::new);
                CommandLine lean = CornserveMain.commandLineFor(path.get(0));
                assertNotNull(lean, path.toString());
                assertEquals(CliRun.run(full, a), CliRun.run(lean, a), args.toString());
            }
        }
    }

    @Test
    void anythingButACommandNameGetsTheFullTree() {
        for (String first : new String[] {"help", "--help", "--version", "simulat", ""}) {
            assertNull(CornserveMain.commandLineFor(first), first);
        }
    }
}
