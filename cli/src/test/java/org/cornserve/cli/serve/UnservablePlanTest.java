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
 * {@code serve} and {@code validate} refuse a plan of a model the runtime's executors have no engine for (its
 * executors run the tiny models) with exit code 2 and a message naming the deployment and task, before anything
 * listens, is cut or starts. A prefill/decode split of a tiny model is served (PdSplitServeIntegrationTest).
 */
class UnservablePlanTest {
    private static final String NO_ENGINE = "../model/src/test/resources/plans/encoder-split.json";

    @TempDir
    Path dir;

    private static void refusedByName(CliRun run, String command) {
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(command + ": plan '") && run.err().contains("deployment 'vision' runs task"
                + " 'qwen2.5-vl-7b/vision-encoder': the runtime's executors run the tiny engine models only"),
                run.err());
        assertFalse(run.out().contains("listening on"), run.out());
    }

    @Test
    void serveRefusesAPlanWithoutAnEngineBeforeListening() {
        refusedByName(CliRun.run("serve", "--plan", NO_ENGINE, "--port", "0", "--devices", "cpu:2"), "serve");
    }

    @Test
    void validateRefusesAPlanWithoutAnEngineBeforeCuttingTheTrace() throws Exception {
        Path out = dir.resolve("out");
        refusedByName(CliRun.run("validate", "--plan", NO_ENGINE, "--trace", dir.resolve("missing.jsonl").toString(),
                "--out", out.toString()), "validate");
        assertFalse(Files.exists(out), "nothing was written");
    }
}
