/**
 * Batching policies per task kind: {@link org.cornserve.planner.schedule.batch.ItemBatcher} for single-pass
 * tasks (encoders, vocoders), {@link org.cornserve.planner.schedule.batch.LlmBatcher} for continuous batching with
 * chunked prefill, a KV cache and preemption, {@link org.cornserve.planner.schedule.batch.DiffusionBatcher} for
 * stepping diffusion jobs together.
 */
package org.cornserve.planner.schedule.batch;
