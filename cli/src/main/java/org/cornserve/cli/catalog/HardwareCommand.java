package org.cornserve.cli.catalog;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cornserve hardware [NAME] [--json]}: the hardware catalog as a table, or one entry with its sources. */
@Command(name = "hardware", mixinStandardHelpOptions = true,
        description = {"List the built-in hardware (peak dense FLOP/s, memory, bandwidths, efficiency assumptions).",
            "With a NAME, show that entry and the source of every number."})
public final class HardwareCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "hardware name or alias, e.g. h100")
    String name;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Option(names = "--detect-cpu", description = "re-derive the cpu entry from this machine's /proc/cpuinfo and /proc/meminfo")
    boolean detectCpu;

    @Option(names = "--measure-bandwidth", description = "with --detect-cpu: also measure memory copy bandwidth (about 1 s)")
    boolean measureBandwidth;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        HardwareCatalog catalog = HardwareCatalog.builtIn();
        List<Hardware> list = catalog.all().stream()
                .map(h -> detectCpu && h.name().equals("cpu") ? catalog.detectCpu(measureBandwidth) : h).toList();
        if (name != null) {
            Hardware hw = catalog.get(name);
            Hardware shown = list.stream().filter(h -> h.name().equals(hw.name())).findFirst().orElse(hw);
            if (json) {
                out.println(Json.write(shown));
            } else {
                detail(out, shown);
            }
        } else if (json) {
            out.println(Json.write(new HardwareCatalog.File(list)));
        } else {
            TextTable t = new TextTable("NAME", "ALIASES", "DTYPE", "PEAK TFLOP/S", "MEMORY", "MEM BW TB/S", "NVLINK GB/S",
                    "PCIE GB/S", "EFF COMPUTE/MEM/LINK");
            for (Hardware h : list) {
                t.row(h.name(), h.aliases().isEmpty() ? "-" : String.join(",", h.aliases()), h.computeDtype(),
                        TextTable.num(h.peakFlopsPerSecond() / 1e12, ""), TextTable.bytes(h.memoryBytes()),
                        TextTable.num(h.memoryBytesPerSecond() / 1e12, ""),
                        h.nvlinkBytesPerSecond() > 0 ? TextTable.num(h.nvlinkBytesPerSecond() / 1e9, "") : "-",
                        h.pcieBytesPerSecond() > 0 ? TextTable.num(h.pcieBytesPerSecond() / 1e9, "") : "-",
                        h.efficiency().compute() + "/" + h.efficiency().memoryBandwidth() + "/" + h.efficiency().interconnect());
            }
            t.print(out);
            out.println();
            out.println("Efficiency factors are modelling assumptions, not published facts; `cornserve hardware NAME` shows sources.");
        }
        out.flush();
    }

    private static void detail(PrintWriter out, Hardware h) {
        out.println(h.name() + (h.aliases().isEmpty() ? "" : " (aliases: " + String.join(", ", h.aliases()) + ")")
                + ": " + h.description());
        out.printf("  peak dense %s          %.4g FLOP/s (achievable %.4g)%n", h.computeDtype(), h.peakFlopsPerSecond(),
                h.achievableFlopsPerSecond());
        out.printf("  memory                   %s%n", TextTable.bytes(h.memoryBytes()));
        out.printf("  memory bandwidth         %.4g B/s (achievable %.4g)%n", h.memoryBytesPerSecond(),
                h.achievableMemoryBytesPerSecond());
        out.printf("  nvlink / pcie            %.4g / %.4g B/s (one direction device-to-device %.4g)%n",
                h.nvlinkBytesPerSecond(), h.pcieBytesPerSecond(), h.p2pBytesPerSecond());
        out.printf("  efficiency               compute %.2f, memory %.2f, interconnect %.2f%n", h.efficiency().compute(),
                h.efficiency().memoryBandwidth(), h.efficiency().interconnect());
        out.printf("  per LLM iteration        %.2f ms of engine time; GEMM roofline exponent %.3g%n",
                h.efficiency().iterationOverheadMs(), h.efficiency().gemmRooflineExponent());
        out.println("                           " + h.efficiency().note());
        out.println("  sources:");
        for (Map.Entry<String, String> e : h.sources().entrySet()) {
            out.println("    " + e.getKey() + ": " + e.getValue());
        }
    }
}
