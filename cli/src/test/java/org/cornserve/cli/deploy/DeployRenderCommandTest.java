package org.cornserve.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cornserve.cli.CornserveMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cornserve deploy render} writes YAML that parses back; {@code serve} names a bad launcher. */
class DeployRenderCommandTest {
    @TempDir
    Path tmp;

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = CornserveMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void rendersOneParsableFilePerResource() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "deploy", "render", "--plan",
                "../experiments/plans/qwen2.5-vl-7b-8xh100-encoder-split.json", "--out", tmp.toString(),
                "--namespace", "serving");
        assertEquals(0, code, err.toString());
        List<Path> files;
        try (Stream<Path> s = Files.list(tmp)) {
            files = s.sorted().toList();
        }
        assertEquals(9, files.size(), files.toString());
        for (Path f : files) {
            Object parsed = Serialization.unmarshal(Files.readString(f));
            HasMetadata r = parsed instanceof KubernetesList l ? l.getItems().get(0) : (HasMetadata) parsed;
            assertTrue(out.toString().contains(r.getKind() + " " + r.getMetadata().getName()), out.toString());
        }
        assertTrue(Files.readString(tmp.resolve("11-executor-llm.yaml")).contains("nvidia.com/gpu: \"1\""));
    }

    @Test
    void badInputIsNamed() {
        StringWriter err = new StringWriter();
        assertTrue(run(new StringWriter(), err, "deploy", "render", "--plan", tmp.resolve("none.json").toString(),
                "--out", tmp.toString()) != 0);
        assertTrue(err.toString().contains("none.json"), err.toString());
        StringWriter err2 = new StringWriter();
        assertTrue(run(new StringWriter(), err2, "serve", "--port", "0", "--launcher", "swarm") != 0);
        assertTrue(err2.toString().contains("--launcher 'swarm'"), err2.toString());
        StringWriter err3 = new StringWriter();
        assertTrue(run(new StringWriter(), err3, "serve", "--port", "0", "--launcher", "kubernetes") != 0);
        assertTrue(err3.toString().contains("needs --namespace"), err3.toString());
    }
}
