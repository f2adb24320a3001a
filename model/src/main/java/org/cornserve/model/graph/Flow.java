package org.cornserve.model.graph;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An edge of a request's task graph: what moves from one node to another and how big it is.
 * Source and target names are part of the record so that two edges with the same payload stay distinct.
 *
 * @param source name of the producing node
 * @param target name of the consuming node
 * @param kind what flows
 * @param elements how many units flow (tokens, codes, samples, pixels, latent values)
 * @param bytes payload size in bytes
 */
public record Flow(
        @JsonProperty(value = "source", required = true) String source,
        @JsonProperty(value = "target", required = true) String target,
        @JsonProperty(value = "kind", required = true) FlowKind kind,
        @JsonProperty(value = "elements", required = true) long elements,
        @JsonProperty(value = "bytes", required = true) long bytes) {

    public Flow {
        if (source == null || target == null || source.equals(target)) {
            throw new IllegalArgumentException("flow needs distinct source and target, got " + source + " -> " + target);
        }
        if (kind == null) {
            throw new IllegalArgumentException("flow " + source + " -> " + target + ": kind is missing");
        }
        if (elements < 0 || bytes < 0) {
            throw new IllegalArgumentException("flow " + source + " -> " + target + ": elements and bytes must be >= 0, got "
                    + elements + ", " + bytes);
        }
    }
}
