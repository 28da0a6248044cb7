package io.spindle.trainer;

/** Tokens per second and model FLOPs utilisation, PaLM's definition: achieved model FLOP/s over peak. */
final class Throughput {

    private Throughput() {
    }

    static double tokensPerSecond(long tokens, double millis) {
        return millis <= 0 ? 0 : tokens * 1000.0 / millis;
    }

    /**
     * @param flopsPerToken 6N + 12·L·T·d for the model
     * @param peakFlops     the hardware's peak FLOP/s for the threads used
     */
    static double mfu(double flopsPerToken, long tokens, double stepMillis, double peakFlops) {
        if (stepMillis <= 0 || peakFlops <= 0) {
            return 0;
        }
        return flopsPerToken * tokens / (stepMillis / 1000.0) / peakFlops;
    }
}
