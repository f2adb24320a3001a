package org.cornserve.runtime.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.model.Modality;
import org.junit.jupiter.api.Test;

class AppCompilerTest {
    static final String STREAMING = """
            import java.util.Map;
            import org.cornserve.runtime.app.*;

            public class Echo implements StreamingApp<Echo.Req, Echo.Chunk> {
                public record Req(String prompt) {}
                public record Chunk(String text) {}

                public AppConfig config() { return AppConfig.of("a", Task.of("tiny-omni",
                        org.cornserve.model.Modality.TEXT, org.cornserve.model.Modality.AUDIO)); }

                public void serve(Req r, AppContext ctx, ChunkSink<Chunk> out) { out.send(new Chunk(r.prompt())); }
            }
            """;

    @Test
    void compilesAndReadsTheParts() {
        AppCompiler.Compiled c = new AppCompiler().compile(STREAMING);
        assertEquals("Echo", c.className());
        assertTrue(c.streaming());
        assertEquals("Echo$Req", c.requestType().getName());
        assertEquals("Echo$Chunk", c.responseType().getName());
        assertEquals(java.util.Set.of(Modality.TEXT, Modality.AUDIO), c.config().tasks().get("a").outputs());
        assertEquals("echo", AppRegistry.defaultId(c.className()));
        assertEquals("voice-assistant-app", AppRegistry.defaultId("x.y.VoiceAssistantApp"));
    }

    @Test
    void compilerErrorsComeWithLineNumbers() {
        AppRejectedException e = assertThrows(AppRejectedException.class, () -> new AppCompiler().compile(
                STREAMING.replace("out.send(new Chunk(r.prompt()));", "out.send(r);")));
        assertEquals(400, e.httpStatus());
        assertEquals(11, e.diagnostics().get(0).line());
        assertTrue(e.getMessage().contains("line 11"), e.getMessage());
    }

    @Test
    void aRawOrGenericAppIsRefused() {
        AppRejectedException raw = assertThrows(AppRejectedException.class, () -> new AppCompiler().compile(
                STREAMING.replace("StreamingApp<Echo.Req, Echo.Chunk>", "StreamingApp")
                        .replace("Req r, AppContext ctx, ChunkSink<Chunk> out", "Object r, AppContext ctx, ChunkSink out")
                        .replace("new Chunk(r.prompt())", "r")));
        assertTrue(raw.getMessage().contains("raw StreamingApp"), raw.getMessage());
        AppRejectedException two = assertThrows(AppRejectedException.class, () -> new AppCompiler().compile(
                STREAMING + "\nclass Other extends Echo {}\n"));
        assertTrue(two.getMessage().contains("2 app classes"), two.getMessage());
    }

    @Test
    void theRegistryChecksModelsAndIdsAndChangesNothingOnFailure() {
        AppRegistry registry = new AppRegistry(List.of("tiny-vl"));
        AppCompiler.Compiled omni = new AppCompiler().compile(STREAMING);
        AppRejectedException e = assertThrows(AppRejectedException.class, () -> registry.register("echo", omni,
                "source"));
        assertTrue(e.getMessage().contains("model 'tiny-omni'") && e.getMessage().contains("tiny-vl"),
                e.getMessage());
        assertEquals(0, registry.list().size());
        AppRejectedException id = assertThrows(AppRejectedException.class, () -> registry.register("Bad Id!",
                omni, "source"));
        assertTrue(id.getMessage().contains("lowercase"), id.getMessage());
    }
}
