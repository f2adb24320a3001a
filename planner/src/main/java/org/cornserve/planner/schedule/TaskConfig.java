package org.cornserve.planner.schedule;

import org.cornserve.planner.schedule.batch.DiffusionBatcher;
import org.cornserve.planner.schedule.batch.DiffusionBatching;
import org.cornserve.planner.schedule.batch.ItemBatcher;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.TaskBatcher;

/** One unit task a deployment serves, with the batching policy its replicas use for it. */
public sealed interface TaskConfig permits TaskConfig.Batch, TaskConfig.Llm, TaskConfig.Diffusion {

    /** The unit task's id, as invocation graphs name it. */
    String taskKey();

    /** A fresh batcher for one replica. */
    TaskBatcher newBatcher();

    private static String requireKey(String taskKey) {
        if (taskKey == null || taskKey.isBlank()) {
            throw new IllegalArgumentException("task config needs a task key");
        }
        return taskKey;
    }

    /** A single-pass task: an encoder, a vocoder, a VAE decoder. */
    record Batch(String taskKey, ItemBatching batching) implements TaskConfig {
        public Batch {
            requireKey(taskKey);
            if (batching == null) {
                throw new IllegalArgumentException("task " + taskKey + " needs batching settings");
            }
        }

        @Override
        public TaskBatcher newBatcher() {
            return new ItemBatcher(batching);
        }
    }

    /** An autoregressive task (LLM, talker), whole or one phase of it. */
    record Llm(String taskKey, LlmPhase phase, LlmBatching batching) implements TaskConfig {
        public Llm {
            requireKey(taskKey);
            if (phase == null || batching == null) {
                throw new IllegalArgumentException("task " + taskKey + " needs a phase and batching settings");
            }
        }

        @Override
        public TaskBatcher newBatcher() {
            return new LlmBatcher(batching, phase);
        }
    }

    /** A diffusion generator. */
    record Diffusion(String taskKey, DiffusionBatching batching) implements TaskConfig {
        public Diffusion {
            requireKey(taskKey);
            if (batching == null) {
                throw new IllegalArgumentException("task " + taskKey + " needs batching settings");
            }
        }

        @Override
        public TaskBatcher newBatcher() {
            return new DiffusionBatcher(batching);
        }
    }
}
