package org.cornserve.cli.simulate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import org.cornserve.simulator.engine.Simulator;

/** {@code simulate --step-log FILE}: every LLM step the simulation starts, one CSV row each. */
final class StepLog implements Consumer<Simulator.StepRecord>, AutoCloseable {
    static final String HEADER = "start_ms,deployment,replica,task,prefill_tokens,prefill_context_tokens,"
            + "decode_sequences,decode_context_tokens,iterations,planned_ms";

    private final Path file;
    private final BufferedWriter out;
    private IOException failed;

    private StepLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Opens {@code file} for writing (its folder created), the header written. */
    static StepLog open(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            BufferedWriter w = Files.newBufferedWriter(file);
            w.write(HEADER);
            w.newLine();
            return new StepLog(file, w);
        } catch (IOException e) {
            throw new UncheckedIOException("--step-log: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void accept(Simulator.StepRecord s) {
        if (failed != null) {
            return;
        }
        try {
            out.write(String.format(Locale.ROOT, "%.4f,%d,%d,%d,%d,%d,%d,%d,%d,%.4f", s.startNanos() / 1e6,
                    s.deployment(), s.replica(), s.task(), s.prefillTokens(), s.prefillContextTokens(),
                    s.decodeSequences(), s.decodeContextTokens(), s.iterations(), s.plannedNanos() / 1e6));
            out.newLine();
        } catch (IOException e) {
            failed = e; // the event loop goes on; check() reports it once the run is over
        }
    }

    /** Fails if a row could not be written. */
    void check() {
        if (failed != null) {
            throw new UncheckedIOException("--step-log: writing " + file + " failed: " + failed.getMessage(), failed);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
