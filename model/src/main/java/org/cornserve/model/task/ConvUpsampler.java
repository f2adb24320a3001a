package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A 1-D convolutional upsampler in the HiFi-GAN / BigVGAN style: an input convolution of
 * {@code inputKernel} taps to {@code initialChannels} (none when 0), then per stage a transposed
 * convolution (stride = the upsample rate) to the stage's channels (half the previous by default, or
 * {@code stageChannels}) followed by residual blocks (for each kernel size, {@code convsPerDilation}
 * convolutions per dilation), then a 7-tap output convolution to one waveform channel.
 * Parameter and FLOP counts ignore biases and activation parameters (an estimate, within a few percent).
 *
 * @param inputChannels channels of the input frames (mel bins, or codec embedding width)
 * @param initialChannels channels after the input convolution
 * @param upsampleRates stride of each stage; their product is output samples per input frame
 * @param upsampleKernelSizes kernel of each stage's transposed convolution
 * @param resblockKernelSizes kernel sizes of the residual blocks (empty for none)
 * @param resblockDilations dilations per residual-block kernel
 * @param stageChannels channels after each stage; empty for halving from {@code initialChannels}
 * @param inputKernel taps of the input convolution (default 7; 0 for none, then input and initial
 *        channels must be equal)
 * @param convsPerDilation convolutions per dilation in a residual block (default 2, HiFi-GAN ResBlock1)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ConvUpsampler(
        @JsonProperty(value = "input_channels", required = true) int inputChannels,
        @JsonProperty(value = "initial_channels", required = true) int initialChannels,
        @JsonProperty(value = "upsample_rates", required = true) List<Integer> upsampleRates,
        @JsonProperty(value = "upsample_kernel_sizes", required = true) List<Integer> upsampleKernelSizes,
        @JsonProperty("resblock_kernel_sizes") List<Integer> resblockKernelSizes,
        @JsonProperty("resblock_dilations") List<List<Integer>> resblockDilations,
        @JsonProperty("stage_channels") List<Integer> stageChannels,
        @JsonProperty("input_kernel") Integer inputKernel,
        @JsonProperty("convs_per_dilation") Integer convsPerDilation) {

    private static final int OUTPUT_KERNEL = 7;

    /** The BigVGAN form: 7-tap input convolution, halving stages, two convolutions per dilation. */
    public ConvUpsampler(int inputChannels, int initialChannels, List<Integer> upsampleRates,
            List<Integer> upsampleKernelSizes, List<Integer> resblockKernelSizes, List<List<Integer>> resblockDilations) {
        this(inputChannels, initialChannels, upsampleRates, upsampleKernelSizes, resblockKernelSizes, resblockDilations,
                null, null, null);
    }

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
        stageChannels = stageChannels == null ? List.of() : List.copyOf(stageChannels);
        inputKernel = inputKernel == null ? 7 : inputKernel;
        convsPerDilation = convsPerDilation == null ? 2 : convsPerDilation;
        if (!stageChannels.isEmpty() && (stageChannels.size() != upsampleRates.size()
                || stageChannels.stream().anyMatch(c -> c <= 0))) {
            throw new IllegalArgumentException("conv upsampler: stage_channels " + stageChannels + " must give one positive"
                    + " width per upsample rate (" + upsampleRates.size() + ")");
        }
        if (stageChannels.isEmpty() && initialChannels >> upsampleRates.size() < 1) {
            throw new IllegalArgumentException("conv upsampler: initial_channels " + initialChannels
                    + " cannot be halved " + upsampleRates.size() + " times");
        }
        if (inputKernel < 0 || (inputKernel == 0 && inputChannels != initialChannels)) {
            throw new IllegalArgumentException("conv upsampler: input_kernel must be >= 0, and 0 only when input_channels ("
                    + inputChannels + ") equals initial_channels (" + initialChannels + ")");
        }
        if (convsPerDilation < 1) {
            throw new IllegalArgumentException("conv upsampler: convs_per_dilation must be >= 1, got " + convsPerDilation);
        }
    }

    /** Output samples per input frame: the product of the upsample rates. */
    public int samplesPerFrame() {
        return upsampleRates.stream().reduce(1, (a, b) -> a * b);
    }

    private long channelsAfter(int stage) {
        return stageChannels.isEmpty() ? initialChannels >> (stage + 1) : stageChannels.get(stage);
    }

    private long resblockWeightsPerChannelSquared() {
        long sum = 0;
        for (int k = 0; k < resblockKernelSizes.size(); k++) {
            sum += (long) convsPerDilation * resblockDilations.get(k).size() * resblockKernelSizes.get(k);
        }
        return sum;
    }

    /** Weights of the whole stack (biases and activation parameters ignored). */
    public long params() {
        long p = (long) inputChannels * initialChannels * inputKernel;
        long res = resblockWeightsPerChannelSquared();
        for (int s = 0; s < upsampleRates.size(); s++) {
            long cin = s == 0 ? initialChannels : channelsAfter(s - 1);
            long cout = channelsAfter(s);
            p += cin * cout * upsampleKernelSizes.get(s) + cout * cout * res;
        }
        return p + channelsAfter(upsampleRates.size() - 1) * OUTPUT_KERNEL;
    }

    /** Multiply-add FLOPs (2 per MAC) to turn one input frame into {@link #samplesPerFrame()} samples. */
    public double flopsPerFrame() {
        double flops = 2.0 * inputChannels * initialChannels * inputKernel;
        long res = resblockWeightsPerChannelSquared();
        long positions = 1;
        for (int s = 0; s < upsampleRates.size(); s++) {
            long cin = s == 0 ? initialChannels : channelsAfter(s - 1);
            long cout = channelsAfter(s);
            // a transposed convolution does cin x cout x kernel MACs per INPUT position
            flops += 2.0 * cin * cout * upsampleKernelSizes.get(s) * positions;
            positions *= upsampleRates.get(s);
            flops += 2.0 * cout * cout * res * positions;
        }
        return flops + 2.0 * channelsAfter(upsampleRates.size() - 1) * OUTPUT_KERNEL * positions;
    }
}
