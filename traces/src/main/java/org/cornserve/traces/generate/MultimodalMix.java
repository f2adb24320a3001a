package org.cornserve.traces.generate;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.math3.random.RandomGenerator;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;

/**
 * A multimodal request mix: text and output token distributions, and for each input medium the share
 * of requests that carry it, the items per such request (at least one is drawn when the count
 * distribution gives 0) and the tokens per item; plus the share of requests that also ask for image or
 * audio output. Each share is an independent coin per request.
 *
 * @param textTokens prompt text tokens
 * @param outputTokens output text tokens
 * @param image images: share, items, tokens per item
 * @param audio audio clips
 * @param video videos
 * @param imageOutputShare share of requests that ask for an image back
 * @param audioOutputShare share of requests that ask for audio back
 */
public record MultimodalMix(TokenDistribution textTokens, TokenDistribution outputTokens, Medium image, Medium audio,
        Medium video, double imageOutputShare, double audioOutputShare) implements ShapeSampler.Factory {

    /** How often one medium appears, how many items and how many tokens each. */
    public record Medium(double share, TokenDistribution itemsPerRequest, TokenDistribution tokensPerItem) {
        public Medium {
            checkShare(share, "medium share");
        }

        public static Medium none() {
            return new Medium(0, TokenDistribution.constant(1), TokenDistribution.constant(0));
        }
    }

    public MultimodalMix {
        checkShare(imageOutputShare, "image output share");
        checkShare(audioOutputShare, "audio output share");
    }

    private static void checkShare(double share, String what) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1], got " + share);
        }
    }

    @Override
    public ShapeSampler create(RandomGenerator random) {
        TokenDistribution.Sampler text = textTokens.sampler(random);
        TokenDistribution.Sampler output = outputTokens.sampler(random);
        Medium[] media = {image, audio, video};
        Modality[] kinds = {Modality.IMAGE, Modality.AUDIO, Modality.VIDEO};
        TokenDistribution.Sampler[] items = new TokenDistribution.Sampler[3];
        TokenDistribution.Sampler[] tokens = new TokenDistribution.Sampler[3];
        for (int m = 0; m < 3; m++) {
            items[m] = media[m].itemsPerRequest().sampler(random);
            tokens[m] = media[m].tokensPerItem().sampler(random);
        }
        return () -> {
            int textTokensDrawn = text.sample();
            List<MediaItem> list = List.of();
            for (int m = 0; m < 3; m++) {
                if (media[m].share() > 0 && random.nextDouble() < media[m].share()) {
                    int n = Math.max(1, items[m].sample());
                    if (list.isEmpty()) {
                        list = new ArrayList<>();
                    }
                    for (int k = 0; k < n; k++) {
                        list.add(new MediaItem(kinds[m], tokens[m].sample(), 0, 0, 0, 0));
                    }
                }
            }
            Set<Modality> out = EnumSet.of(Modality.TEXT);
            if (imageOutputShare > 0 && random.nextDouble() < imageOutputShare) {
                out.add(Modality.IMAGE);
            }
            if (audioOutputShare > 0 && random.nextDouble() < audioOutputShare) {
                out.add(Modality.AUDIO);
            }
            return new RequestShape(textTokensDrawn, list, output.sample(), out);
        };
    }
}
