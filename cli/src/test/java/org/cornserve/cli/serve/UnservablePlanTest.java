package org.cornserve.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} and {@code validate} refuse a prefill/decode-split plan (which the runtime's executors cannot run
 * yet) with exit code 2 and a message naming the deployment and task, before anything listens, is cut or starts.
 */
class UnservablePlanTest {
    private static final String SPLIT = "../runtime/src/test/resources/plans/tiny-omni-pd-split-cpu.json";

    @TempDir
    Path dir;

    private static void refusedByName(CliRun run, String command) {
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(command + ": plan 'tiny-omni pd-split on this CPU': deployment 'prefill' runs"
                + " task 'tiny-omni/llm:prefill', the prefill phase of a prefill/decode split"), run.err());
        assertFalse(run.out().contains("listening on"), run.out());
    }

    @Test
    void serveRefusesASplitPlanBeforeListening() {
        refusedByName(CliRun.run("serve", "--plan", SPLIT, "--port", "0", "--devices", "cpu:2"), "serve");
    }

    @Test
    void validateRefusesASplitPlanBeforeCuttingTheTrace() throws Exception {
        Path out = dir.resolve("out");
        refusedByName(CliRun.run("validate", "--plan", SPLIT, "--trace", dir.resolve("missing.jsonl").toString(),
                "--out", out.toString()), "validate");
        assertFalse(Files.exists(out), "nothing was written");
    }
}
