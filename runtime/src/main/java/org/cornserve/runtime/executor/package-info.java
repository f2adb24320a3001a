/**
 * The executor process ({@link org.cornserve.runtime.executor.ExecutorMain}): one replica of a deployment running
 * the tiny models' unit tasks on a share of the CPU, stepped by the control plane over a small protocol of
 * length-prefixed JSON frames ({@link org.cornserve.runtime.executor.ExecutorCommand} in,
 * {@link org.cornserve.runtime.executor.ExecutorReport} out): open an invocation with its inputs (tensors in the
 * sidecar), run a step exactly as the scheduling core planned it (prefill chunks, decodes, an encoder or vocoder
 * batch, denoising steps), report tokens, ended sequences (end of sequence or cap), output tensors, or a failure
 * naming the stage.
 */
package org.cornserve.runtime.executor;
