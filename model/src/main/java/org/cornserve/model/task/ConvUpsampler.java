package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A 1-D convolutional upsampler in the HiFi-GAN / BigVGAN style: a 7-tap input convolution to
 * {@code initialChannels}, then per stage a transposed convolution (stride = the upsample rate) that
 * halves the channels followed by multi-receptive-field residual blocks (for each kernel size, two
 * convolutions per dilation), then a 7-tap output convolution to one waveform channel.
 * Parameter and FLOP counts ignore biases and activation parameters (an estimate, within a few percent).
 *
 * @param inputChannels channels of the input frames (mel bins, or codec embedding width)
 * @param initialChannels channels after the input convolution
 * @param upsampleRates stride of each stage; their product is output samples per input frame
 * @param upsampleKernelSizes kernel of each stage's transposed convolution
 * @param resblockKernelSizes kernel sizes of the residual blocks (empty for none)
 * @param resblockDilations dilations per residual-block kernel
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ConvUpsampler(
        @JsonProperty(value = "input_channels", required = true) int inputChannels,
        @JsonProperty(value = "initial_channels", required = true) int initialChannels,
        @JsonProperty(value = "upsample_rates", required = true) List<Integer> upsampleRates,
        @JsonProperty(value = "upsample_kernel_sizes", required = true) List<Integer> upsampleKernelSizes,
        @JsonProperty("resblock_kernel_sizes") List<Integer> resblockKernelSizes,
        @JsonProperty("resblock_dilations") List<List<Integer>> resblockDilations) {

    private static final int IO_KERNEL = 7;

    public ConvUpsampler {
        if (inputChannels <= 0 || initialChannels <= 0) {
            throw new IllegalArgumentException("conv upsampler: input_channels and initial_channels must be > 0");
        }
        upsampleRates = List.copyOf(upsampleRates);
        upsampleKernelSizes = List.copyOf(upsampleKernelSizes);
        resblockKernelSizes = resblockKernelSizes == null ? List.of() : List.copyOf(resblockKernelSizes);
        resblockDilations = resblockDilations == null ? List.of()
                : resblockDilations.stream().map(List::copyOf).toList();
        if (upsampleRates.isEmpty() || upsampleRates.size() != upsampleKernelSizes.size()) {
            throw new IllegalArgumentException("conv upsampler: upsample_rates (" + upsampleRates.size()
                    + ") and upsample_kernel_sizes (" + upsampleKernelSizes.size() + ") must be non-empty and match");
        }
        if (resblockKernelSizes.size() != resblockDilations.size()) {
            throw new IllegalArgumentException("conv upsampler: resblock_kernel_sizes (" + resblockKernelSizes.size()
                    + ") and resblock_dilations (" + resblockDilations.size() + ") must match");
        }
        if (upsampleRates.stream().anyMatch(r -> r <= 0) || upsampleKernelSizes.stream().anyMatch(k -> k <= 0)) {
            throw new IllegalArgumentException("conv upsampler: rates and kernels must be > 0");
        }
        if (initialChannels >> upsampleRates.size() < 1) {
            throw new IllegalArgumentException("conv upsampler: initial_channels " + initialChannels
                    + " cannot be halved " + upsampleRates.size() + " times");
        }
    }

    /** Output samples per input frame: the product of the upsample rates. */
    public int samplesPerFrame() {
        return upsampleRates.stream().reduce(1, (a, b) -> a * b);
    }

    private long stageChannels(int stage) {
        return initialChannels >> (stage + 1);
    }

    private long resblockWeightsPerChannelSquared() {
        long sum = 0;
        for (int k = 0; k < resblockKernelSizes.size(); k++) {
            sum += 2L * resblockDilations.get(k).size() * resblockKernelSizes.get(k);
        }
        return sum;
    }

    /** Weights of the whole stack (biases and activation parameters ignored). */
    public long params() {
        long p = (long) inputChannels * initialChannels * IO_KERNEL;
        long res = resblockWeightsPerChannelSquared();
        for (int s = 0; s < upsampleRates.size(); s++) {
            long cin = s == 0 ? initialChannels : stageChannels(s - 1);
            long cout = stageChannels(s);
            p += cin * cout * upsampleKernelSizes.get(s) + cout * cout * res;
        }
        return p + stageChannels(upsampleRates.size() - 1) * IO_KERNEL;
    }

    /** Multiply-add FLOPs (2 per MAC) to turn one input frame into {@link #samplesPerFrame()} samples. */
    public double flopsPerFrame() {
        double flops = 2.0 * inputChannels * initialChannels * IO_KERNEL;
        long res = resblockWeightsPerChannelSquared();
        long positions = 1;
        for (int s = 0; s < upsampleRates.size(); s++) {
            long cin = s == 0 ? initialChannels : stageChannels(s - 1);
            long cout = stageChannels(s);
            // a transposed convolution does cin x cout x kernel MACs per INPUT position
            flops += 2.0 * cin * cout * upsampleKernelSizes.get(s) * positions;
            positions *= upsampleRates.get(s);
            flops += 2.0 * cout * cout * res * positions;
        }
        return flops + 2.0 * stageChannels(upsampleRates.size() - 1) * IO_KERNEL * positions;
    }
}
