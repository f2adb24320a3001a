package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Holds the swap copy of KV cache over the host link against its closed form. */
class RooflineHostCopyTest {
    static final TransformerArch TINY = RooflineExpertParallelTest.MOE;
    static final double KV_BYTES_PER_TOKEN = RooflineExpertParallelTest.KV_BYTES_PER_TOKEN;

    @ParameterizedTest
    @CsvSource({"1, 1, 1000", "2, 1, 1000", "1, 2, 4096", "4, 2, 1"})
    void copyIsKvBytesOverEveryDevicesHostLink(int tp, int dp, long tokens) {
        // 8 GB/s host link (one direction), link efficiency 0.5: 4 GB/s per device, each device copying its share
        RooflineDevice device = new RooflineDevice("tiny", 1e12, 1e9, 1e11, 1e10, 1e-6, 1, 1, 0.5, 8e9);
        RooflineLlmCost cost = new RooflineEstimator(device, RooflineOperatorCostTest.OPTIONS)
                .llm(TINY, new LlmParallelism(tp, dp, dp > 1));
        assertEquals(KV_BYTES_PER_TOKEN * tokens / (4e9 * tp * dp), cost.hostCopySeconds(tokens), 1e-18);
    }

    @ParameterizedTest
    @CsvSource({"h100", "a100-80gb", "l40s"})
    void catalogHardwareCopiesOverOneDirectionOfItsPcie(String name) {
        Hardware hw = HardwareCatalog.builtIn().get(name);
        RooflineDevice device = RooflineTaskCosts.device(hw, 0);
        assertEquals(hw.pcieBytesPerSecond() / 2, device.hostLinkBytesPerSecond());
        RooflineLlmCost cost = new RooflineEstimator(device, RooflineOperatorCostTest.OPTIONS).llm(TINY, 2);
        double perSecond = hw.pcieBytesPerSecond() / 2 * hw.efficiency().interconnect() * 2;
        assertEquals(KV_BYTES_PER_TOKEN * 5000 / perSecond, cost.hostCopySeconds(5000), 1e-18);
    }
}
