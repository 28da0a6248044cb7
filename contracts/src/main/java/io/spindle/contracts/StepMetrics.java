package io.spindle.contracts;

/**
 * One training step, as a trainer reports it on {@code train.metrics} (key: {@code run/worker}).
 *
 * @param schema      {@link Schema#V1}
 * @param run         training run id
 * @param worker      trainer replica id
 * @param step        optimizer step, 1-based
 * @param time        wall clock at the end of the step, epoch ms
 * @param loss        training loss of this step (mean cross-entropy, nats)
 * @param evalLoss    held-out loss when this step ran an evaluation, else null
 * @param lr          learning rate used for this step
 * @param gradNorm    global L2 norm of the gradients before clipping
 * @param tokens      tokens trained in this step
 * @param tokensSeen  tokens trained since the run began
 * @param stepMs      compute time of the step, ms
 * @param dataWaitMs  time spent waiting for this step's batch, ms
 * @param tokensPerS  tokens / (stepMs + dataWaitMs) for this step
 * @param mfu         model FLOPs utilisation, 0..1 (PaLM definition)
 * @param lossScale   dynamic loss scale; 1 when training in fp32
 * @param batchId     the batch trained, {@code partition:seq} of {@code train.batches}
 * @param peakRssMb   the trainer process's peak resident memory so far, MB; -1 when unknown
 */
public record StepMetrics(
        int schema,
        String run,
        String worker,
        long step,
        long time,
        double loss,
        Double evalLoss,
        double lr,
        double gradNorm,
        long tokens,
        long tokensSeen,
        double stepMs,
        double dataWaitMs,
        double tokensPerS,
        double mfu,
        double lossScale,
        String batchId,
        long peakRssMb) {

    public String key() {
        return run + "/" + worker;
    }
}
