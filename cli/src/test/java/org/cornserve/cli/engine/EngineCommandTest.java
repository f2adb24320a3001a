package org.cornserve.cli.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.cli.CornserveMain;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Tag("slow")
class EngineCommandTest {
    @TempDir
    Path dir;

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = CornserveMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void runWritesAPngAndPrintsTimings() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "engine", "run", "--model", "tiny-image", "--prompt", "a cat", "--size", "64",
                "--threads", "1", "--out", dir.toString());
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("diffusion-transformer"), out.toString());
        assertTrue(Files.size(dir.resolve("image.png")) > 0);
    }

    @Test
    void badInputGivesAClearError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "engine", "run", "--model", "tiny-giant", "--prompt", "x", "--out", dir.toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("unknown engine model 'tiny-giant'"), err.toString());
        code = run(out, err, "engine", "run", "--model", "tiny-vl", "--prompt", "x", "--image",
                dir.resolve("missing.png").toString(), "--out", dir.toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("missing.png"), err.toString());
    }
}
