package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.arch.TransformerArch;

/**
 * A convolutional VAE decoder from an image latent to RGB pixels. The decoder mirrors the encoder's
 * channel plan: stage channels are {@code baseDim x dimMult} from the deepest to the shallowest, each stage
 * has {@code numResBlocks + 1} residual blocks of two convolutions, the first log2(spatialCompression)
 * stages end with a x2 upsampling convolution, and a middle block (two residual blocks and one attention)
 * sits at the deepest width. A plain decoder ({@code plainChannels} set, as the tiny engine's) is instead
 * conv_in to the first width, then per x2 stage one convolution to the next width, then conv_out.
 * Parameter and FLOP counts ignore norms and biases (estimates).
 *
 * @param id component id ({@code vae-decoder})
 * @param shareId id shared across models, or empty
 * @param description what it is
 * @param latentChannels channels of the latent (z_dim)
 * @param spatialCompression pixels per latent pixel side (8)
 * @param baseDim base channel width
 * @param dimMult channel multipliers from the shallowest to the deepest stage
 * @param numResBlocks residual blocks per encoder stage (the decoder has one more)
 * @param kernelVolume weights per channel pair of one convolution (9 for 3x3, 27 for 3x3x3 causal 3-D)
 * @param outChannels output channels (3 for RGB)
 * @param plainChannels for a plain decoder: conv_in width, then the width after each x2 stage (empty otherwise)
 * @param bytesPerParam bytes per weight
 * @param publishedParams published parameter count, 0 when none
 * @param sources field to source
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record VaeDecoder(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty("share_id") String shareId,
        @JsonProperty("description") String description,
        @JsonProperty(value = "latent_channels", required = true) int latentChannels,
        @JsonProperty(value = "spatial_compression", required = true) int spatialCompression,
        @JsonProperty(value = "base_dim", required = true) int baseDim,
        @JsonProperty(value = "dim_mult", required = true) List<Integer> dimMult,
        @JsonProperty("num_res_blocks") int numResBlocks,
        @JsonProperty(value = "kernel_volume", required = true) int kernelVolume,
        @JsonProperty(value = "out_channels", required = true) int outChannels,
        @JsonProperty("plain_channels") List<Integer> plainChannels,
        @JsonProperty("bytes_per_param") int bytesPerParam,
        @JsonProperty("published_params") long publishedParams,
        @JsonProperty(value = "sources", required = true) Map<String, String> sources) implements Component {

    public VaeDecoder {
        Checks.id("vae decoder", id);
        shareId = Checks.shareId(shareId);
        description = description == null ? "" : description;
        Checks.positive(id, "latent_channels", latentChannels);
        Checks.positive(id, "spatial_compression", spatialCompression);
        if (Integer.bitCount(spatialCompression) != 1) {
            throw new IllegalArgumentException(id + ": spatial_compression must be a power of 2, got " + spatialCompression);
        }
        Checks.positive(id, "base_dim", baseDim);
        dimMult = List.copyOf(dimMult);
        if (dimMult.isEmpty() || dimMult.stream().anyMatch(m -> m <= 0)) {
            throw new IllegalArgumentException(id + ": dim_mult must be non-empty and positive, got " + dimMult);
        }
        if (upsamplings(spatialCompression) > dimMult.size()) {
            throw new IllegalArgumentException(id + ": spatial_compression " + spatialCompression + " needs "
                    + upsamplings(spatialCompression) + " stages, dim_mult has " + dimMult.size());
        }
        Checks.nonNegative(id, "num_res_blocks", numResBlocks);
        Checks.positive(id, "kernel_volume", kernelVolume);
        Checks.positive(id, "out_channels", outChannels);
        plainChannels = plainChannels == null ? List.of() : List.copyOf(plainChannels);
        if (!plainChannels.isEmpty() && (plainChannels.size() != upsamplings(spatialCompression) + 1
                || plainChannels.stream().anyMatch(c -> c <= 0))) {
            throw new IllegalArgumentException(id + ": plain_channels " + plainChannels + " needs one positive width for"
                    + " conv_in and one per x2 stage (" + upsamplings(spatialCompression) + ")");
        }
        Checks.nonNegative(id, "published_params", publishedParams);
        bytesPerParam = Checks.bytesPerParam(id, bytesPerParam);
        sources = Checks.sources(sources);
    }

    private static int upsamplings(int compression) {
        return Integer.numberOfTrailingZeros(compression);
    }

    @Override
    public UnitTaskKind kind() {
        return UnitTaskKind.VAE_DECODER;
    }

    @Override
    public Optional<TransformerArch> transformer() {
        return Optional.empty();
    }

    @Override
    public long computedParams() {
        return (long) walk(0, 0, true);
    }

    /** Convolution FLOPs (2 per MAC) to decode one latent of the given size into pixels. */
    public double flops(int latentWidth, int latentHeight) {
        return walk(latentWidth, latentHeight, false);
    }

    /** FLOPs to decode an output image of the given pixel size. */
    public double flopsForImage(int widthPx, int heightPx) {
        return flops(Math.max(1, widthPx / spatialCompression), Math.max(1, heightPx / spatialCompression));
    }

    /** Sums weights (params) or 2 x weights x positions (FLOPs) over the decoder's convolutions. */
    private double walk(int latentWidth, int latentHeight, boolean params) {
        double positions = params ? 1 : (double) latentWidth * latentHeight;
        if (!plainChannels.isEmpty()) {
            double total = conv(latentChannels, plainChannels.get(0), kernelVolume, positions, params);
            for (int s = 1; s < plainChannels.size(); s++) {
                positions *= params ? 1 : 4;
                total += conv(plainChannels.get(s - 1), plainChannels.get(s), kernelVolume, positions, params);
            }
            return total + conv(plainChannels.get(plainChannels.size() - 1), outChannels, kernelVolume, positions, params);
        }
        double total = 0;
        int stages = dimMult.size();
        long top = (long) baseDim * dimMult.get(stages - 1);
        total += conv(latentChannels, top, kernelVolume, positions, params);
        // middle: two residual blocks of two convolutions, one single-head attention (q, k, v, o)
        total += 4 * conv(top, top, kernelVolume, positions, params) + conv(top, top, 4, positions, params);
        long cin = top;
        int ups = upsamplings(spatialCompression);
        for (int s = 0; s < stages; s++) {
            long cout = (long) baseDim * dimMult.get(stages - 1 - s);
            for (int b = 0; b <= numResBlocks; b++) {
                long in = b == 0 ? cin : cout;
                total += conv(in, cout, kernelVolume, positions, params) + conv(cout, cout, kernelVolume, positions, params);
                if (in != cout) {
                    total += conv(in, cout, 1, positions, params);
                }
            }
            if (s < ups) {
                positions *= params ? 1 : 4;
                total += conv(cout, cout, 9, positions, params);
            }
            cin = cout;
        }
        return total + conv(cin, outChannels, kernelVolume, positions, params);
    }

    private static double conv(long cin, long cout, int kernel, double positions, boolean params) {
        double weights = (double) cin * cout * kernel;
        return params ? weights : 2 * weights * positions;
    }

    /** Bytes of an RGB output image (8-bit channels). */
    public long imageBytes(int widthPx, int heightPx) {
        return (long) widthPx * heightPx * outChannels;
    }
}
