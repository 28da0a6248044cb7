package io.spindle.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuPeakTest {

    @Test
    void avx512CoresDo64Fp32FlopsPerCycle() {
        CpuPeak peak = CpuPeak.parse(List.of("processor\t: 0", "cpu MHz\t\t: 2096.009",
                "flags\t\t: fpu sse sse2 fma avx avx2 avx512f avx512dq")).orElseThrow();
        assertEquals(64, peak.flopsPerCycle());
        assertEquals(134.1e9, peak.flopsPerCore(), 0.1e9);
    }

    @Test
    void avx2WithFmaIs32AndPlainSseIs16() {
        assertEquals(32, CpuPeak.parse(List.of("flags : sse avx avx2 fma", "cpu MHz : 3000")).orElseThrow().flopsPerCycle());
        assertEquals(16, CpuPeak.parse(List.of("flags : sse sse2", "cpu MHz : 3000")).orElseThrow().flopsPerCycle());
    }

    @Test
    void noClockOrNoFlagsMeansUnknown() {
        assertTrue(CpuPeak.parse(List.of("flags : avx512f")).isEmpty());
        assertTrue(CpuPeak.parse(List.of("cpu MHz : 3000")).isEmpty());
    }
}
