package org.cornserve.runtime.replay;

import org.cornserve.model.request.RequestShape;

/** Turns a traced request shape into real inputs; {@link RequestSynthesizer} is the model-driven one. */
@FunctionalInterface
public interface InputSynthesizer {

    /**
     * The inputs for one request.
     *
     * @param seed the request's seed (its index in the replay)
     * @throws IllegalArgumentException when the shape cannot be served (the message says why)
     */
    SynthesizedRequest synthesize(RequestShape shape, long seed);
}
