package org.cornserve.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.profile.RooflineDevice;
import org.cornserve.model.profile.RooflineEstimator;

/** Seeded planning problems on roofline costs of real architectures, for tests. */
public final class Fixtures {
    private Fixtures() {}

    public static final long H100_MEMORY = 80_000_000_000L;

    public static RooflineDevice h100() {
        return new RooflineDevice("h100-sxm", 989e12, H100_MEMORY, 3.35e12, 450e9, 5e-6, 0.6, 0.8, 0.7);
    }

    public static final TransformerArch QWEN_VIT = TransformerArch.encoder(1280, 32, 16, 3420);
    public static final TransformerArch WHISPER_ENC = TransformerArch.encoder(1280, 32, 20, 5120);
    public static final TransformerArch QWEN_7B = TransformerArch.denseLlm(3584, 28, 28, 4, 128, 18944, 152064);
    public static final TransformerArch TALKER = TransformerArch.denseLlm(896, 24, 12, 4, 128, 18944, 8448);

    public static RooflineTasks tasks() {
        return new RooflineTasks(new RooflineEstimator(h100()), 16384);
    }

    /** Task ids of the omni-like model, in path order. */
    public static final String VISION = "m/vision-encoder";
    public static final String AUDIO = "m/audio-encoder";
    public static final String LLM = "m/llm";
    public static final String TALK = "m/talker";
    public static final String VOCODER = "m/vocoder";

    public static PlannerTask task(String id) {
        RooflineTasks t = tasks();
        return switch (id) {
            case VISION -> t.encoder(VISION, 0, QWEN_VIT);
            case AUDIO -> t.encoder(AUDIO, 0, WHISPER_ENC);
            case LLM -> t.autoregressive(LLM, TaskKind.LLM, 1, QWEN_7B);
            case TALK -> t.autoregressive(TALK, TaskKind.TALKER, 2, TALKER);
            case VOCODER -> t.outputDecoder(VOCODER, 3, 200e6, 2 * 200e6 * 4, 22);
            default -> throw new IllegalArgumentException(id);
        };
    }

    /** Seeded requests touching the given tasks (the LLM always). */
    public static List<RequestWork> requests(List<String> taskIds, int count, long seed) {
        Random rnd = new Random(seed);
        List<RequestWork> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, TaskWork> work = new HashMap<>();
            long prompt = 20 + rnd.nextInt(800);
            if (taskIds.contains(VISION) && rnd.nextDouble() < 0.6) {
                int images = 1 + rnd.nextInt(2);
                long tokens = 0;
                for (int k = 0; k < images; k++) {
                    tokens += 256 + rnd.nextInt(1300);
                }
                work.put(VISION, TaskWork.batch(images, tokens * 4));
                prompt += tokens;
            }
            if (taskIds.contains(AUDIO) && rnd.nextDouble() < 0.4) {
                long tokens = 50 + rnd.nextInt(700);
                work.put(AUDIO, TaskWork.batch(1, tokens * 4));
                prompt += tokens;
            }
            long output = 10 + rnd.nextInt(400);
            if (taskIds.contains(LLM)) {
                work.put(LLM, TaskWork.llm(prompt, output));
            }
            if (taskIds.contains(TALK) && rnd.nextDouble() < 0.3) {
                long codes = Math.round(output * 2.5);
                work.put(TALK, TaskWork.llm(output, codes));
                if (taskIds.contains(VOCODER)) {
                    work.put(VOCODER, TaskWork.batch(1, codes));
                }
            }
            if (work.isEmpty()) {
                work.put(taskIds.get(0), taskIds.get(0).equals(LLM) ? TaskWork.llm(prompt, output) : TaskWork.batch(1, 1024));
            }
            out.add(new RequestWork(work));
        }
        return out;
    }

    public static PlanningProblem problem(List<String> taskIds, int devices, double rateRps, Slo slo, long seed) {
        List<PlannerTask> tasks = taskIds.stream().map(Fixtures::task).toList();
        Workload workload = new Workload(rateRps, requests(taskIds, 200, seed));
        return new PlanningProblem(List.of("m"), tasks, ClusterShape.ofDevices("h100-sxm", devices, H100_MEMORY),
                workload, slo, seed);
    }

    public static Slo slo() {
        return new Slo(2000, 100, 20000, 0.9);
    }
}
