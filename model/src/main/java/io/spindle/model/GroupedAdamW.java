package io.spindle.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.optimizer.Optimizer;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AdamW with two weight-decay groups. DJL's {@code AdamW} applies one decay to every parameter; we need
 * none on norms, biases and embeddings. The update itself is DJL's fused native one (one call per
 * parameter): decoupled decay {@code w -= lr·wd·w}, then {@code w -= lr·sqrt(1-β2^t)/(1-β1^t) · m/(sqrt(v)+ε)}.
 * That puts ε inside the bias correction, unlike PyTorch; the difference is ε-sized.
 *
 * <p>The trainer sets the learning rate and the gradient scale (global-norm clipping) before each step.
 */
final class GroupedAdamW extends Optimizer {

    private final OptimizerConfig config;
    private final Set<String> decayedIds;
    private final Map<String, Map<Device, NDArray>> means = new ConcurrentHashMap<>();
    private final Map<String, Map<Device, NDArray>> variances = new ConcurrentHashMap<>();
    private float learningRate;
    private float gradScale = 1f;

    /** @param decayedIds {@link ai.djl.nn.Parameter#getId() ids} of the parameters that decay */
    GroupedAdamW(OptimizerConfig config, Set<String> decayedIds) {
        super(new Builder());
        this.config = config;
        this.decayedIds = Set.copyOf(decayedIds);
    }

    /** Settings for the coming {@code update} calls, i.e. one optimizer step. */
    void prepareStep(float learningRate, float gradScale) {
        this.learningRate = learningRate;
        this.gradScale = gradScale;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int t = updateCount(parameterId);
        double firstBias = 1 - Math.pow(config.beta1(), t);
        double secondBias = 1 - Math.pow(config.beta2(), t);
        float correctedRate = (float) (learningRate * Math.sqrt(secondBias) / firstBias);
        float decay = decayedIds.contains(parameterId) ? config.weightDecay() : 0f;
        NDArray mean = withDefaultState(means, parameterId, weight.getDevice(), k -> weight.zerosLike());
        NDArray variance = withDefaultState(variances, parameterId, weight.getDevice(), k -> weight.zerosLike());
        // rescaleGrad carries the clipping factor; clipGrad < 0 turns off DJL's element-wise clamp.
        weight.getNDArrayInternal().adamUpdate(
                new NDList(weight, grad, mean, variance), new NDList(weight),
                learningRate, correctedRate, decay, gradScale, -1f,
                config.beta1(), config.beta2(), config.epsilon(), false, true);
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
