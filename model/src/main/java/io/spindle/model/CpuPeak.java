package io.spindle.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The fp32 peak of one CPU core, for MFU: {@code GHz x FLOPs/cycle}, where
 * {@code FLOPs/cycle = 2 (a fused multiply-add is two FLOPs) x fp32 lanes per vector x 2 FMA pipes}.
 * Lanes come from the widest vector flag in {@code /proc/cpuinfo}: {@code avx512f} 16, {@code avx2}+{@code fma}
 * 8, otherwise ({@code sse}) 4. So AVX-512 is 64 FLOPs/cycle, AVX2+FMA 32 and SSE 16 (counting an SSE
 * multiply and add pipe as a pair). The clock is the {@code cpu MHz} line (the base clock on the VMs we run
 * on; turbo makes the peak, and so MFU, somewhat optimistic). Two FMA pipes is what every x86 server core since
 * Haswell has; Zen 4 runs AVX-512 on two 256-bit pipes, so its true peak is half this figure, which is why the
 * trainer's config can override it ({@code spindle.trainer.peak-flops-per-core}).
 */
public record CpuPeak(double ghz, int lanes, String vectorIsa) {

    public static final int FMA_PIPES = 2;
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    /** fp32 FLOP/s of one core. */
    public double flopsPerCore() {
        return ghz * 1e9 * flopsPerCycle();
    }

    public int flopsPerCycle() {
        return 2 * lanes * FMA_PIPES;
    }

    /** Reads this machine's /proc/cpuinfo; empty where there is none (not Linux) or it lacks a clock. */
    public static java.util.Optional<CpuPeak> detect() {
        try {
            return parse(Files.readAllLines(CPUINFO));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The first processor's {@code flags} and {@code cpu MHz} lines decide. */
    public static java.util.Optional<CpuPeak> parse(List<String> cpuinfo) {
        Set<String> flags = null;
        double mhz = -1;
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (flags == null && key.equals("flags")) {
                flags = Set.of(value.split("\\s+"));
            } else if (mhz < 0 && key.equals("cpu MHz")) {
                try {
                    mhz = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    // leave it unknown
                }
            }
        }
        if (flags == null || !(mhz > 0)) {
            return java.util.Optional.empty();
        }
        if (flags.contains("avx512f")) {
            return java.util.Optional.of(new CpuPeak(mhz / 1000, 16, "avx512f"));
        }
        if (flags.contains("avx2") && flags.contains("fma")) {
            return java.util.Optional.of(new CpuPeak(mhz / 1000, 8, "avx2+fma"));
        }
        return java.util.Optional.of(new CpuPeak(mhz / 1000, 4, "sse"));
    }
}
