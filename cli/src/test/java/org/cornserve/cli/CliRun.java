package org.cornserve.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a command line in-process and keeps its exit code and what it printed, for tests. */
public record CliRun(int code, String out, String err) {

    /** Runs {@code args} on {@code cl}. */
    public static CliRun run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs {@code args} on the full {@code cornserve} command line. */
    public static CliRun run(String... args) {
        return run(CornserveMain.commandLine(), args);
    }
}
