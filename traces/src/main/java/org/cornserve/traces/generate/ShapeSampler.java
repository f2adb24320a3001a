package org.cornserve.traces.generate;

import org.apache.commons.math3.random.RandomGenerator;
import org.cornserve.model.request.RequestShape;

/** Draws request shapes; made for one generator's random source. */
@FunctionalInterface
public interface ShapeSampler {

    RequestShape sample();

    /** Something that builds a sampler over a given random source (so a generator owns all its randomness). */
    @FunctionalInterface
    interface Factory {
        ShapeSampler create(RandomGenerator random);
    }

    /** Text-only requests with the given text and output token distributions. */
    static Factory text(TokenDistribution textTokens, TokenDistribution outputTokens) {
        return random -> {
            TokenDistribution.Sampler in = textTokens.sampler(random);
            TokenDistribution.Sampler out = outputTokens.sampler(random);
            return () -> RequestShape.text(in.sample(), out.sample());
        };
    }
}
