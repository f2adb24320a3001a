package org.cornserve.planner.schedule.batch;

/** Which phases of an autoregressive model a deployment's task runs. */
public enum LlmPhase {
    /** Prefill and decode on the same replica. */
    FULL,
    /** Prefill only: the invocation ends with the first token and its KV cache moves to a decode deployment. */
    PREFILL,
    /** Decode only: the invocation arrives with its context's KV cache already computed elsewhere. */
    DECODE
}
