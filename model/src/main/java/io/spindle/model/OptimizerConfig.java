package io.spindle.model;

/**
 * AdamW, its learning-rate schedule and gradient clipping.
 *
 * @param learningRate    peak learning rate, reached at the end of warmup
 * @param minLearningRate floor the cosine decays to at {@code totalSteps} (and stays at after)
 * @param warmupSteps     steps of linear warmup from lr/warmupSteps up to the peak; 0 for none
 * @param totalSteps      step at which the cosine reaches {@code minLearningRate}
 * @param weightDecay     decoupled decay (AdamW), applied only to matmul weights
 * @param beta1           decay of Adam's first-moment (mean) estimate
 * @param beta2           decay of Adam's second-moment (variance) estimate
 * @param epsilon         added to the root of the second moment so tiny gradients do not explode
 * @param gradClip        global L2 norm gradients are scaled down to; 0 disables clipping
 * @param seed            seeds weight initialisation, so equal seeds give equal models
 */
public record OptimizerConfig(
        float learningRate,
        float minLearningRate,
        long warmupSteps,
        long totalSteps,
        float weightDecay,
        float beta1,
        float beta2,
        float epsilon,
        float gradClip,
        long seed) {

    public OptimizerConfig {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive, was " + learningRate);
        }
        if (!(minLearningRate >= 0 && minLearningRate <= learningRate)) {
            throw new IllegalArgumentException(
                    "minLearningRate must be in [0, learningRate], was " + minLearningRate);
        }
        if (totalSteps <= 0 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps and totalSteps > 0, were "
                    + warmupSteps + " and " + totalSteps);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay must be >= 0, was " + weightDecay);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), were " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive, was " + epsilon);
        }
        if (!(gradClip >= 0)) {
            throw new IllegalArgumentException("gradClip must be >= 0 (0 disables), was " + gradClip);
        }
    }

    /**
     * Settings that train small GPTs well (nanoGPT's): lr 1e-3 decaying to 1e-4, warmup over the first
     * 10% (at most 100 steps), weight decay 0.1, betas (0.9, 0.95), clip at 1.0.
     */
    public static OptimizerConfig defaults(long totalSteps) {
        return new OptimizerConfig(1e-3f, 1e-4f, Math.min(100, totalSteps / 10), totalSteps,
                0.1f, 0.9f, 0.95f, 1e-8f, 1.0f, 1337);
    }

    public OptimizerConfig withSeed(long newSeed) {
        return new OptimizerConfig(learningRate, minLearningRate, warmupSteps, totalSteps,
                weightDecay, beta1, beta2, epsilon, gradClip, newSeed);
    }

    /**
     * The learning rate for the step with 0-based index {@code step}: linear warmup, then cosine decay to
     * {@code minLearningRate} at {@code totalSteps}. Warmup starts at lr/warmupSteps rather than 0 so the
     * first step is not wasted.
     */
    public float learningRate(long step) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / warmupSteps;
        }
        if (step >= totalSteps) {
            return minLearningRate;
        }
        double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (minLearningRate + cosine * (learningRate - minLearningRate));
    }

    /**
     * What gradients are multiplied by so their global norm is at most {@code gradClip}; PyTorch's
     * {@code clip_grad_norm_} rule, including its 1e-6 guard.
     */
    public float clipScale(float gradNorm) {
        if (gradClip == 0 || !(gradNorm > gradClip)) {
            return 1f;
        }
        return gradClip / (gradNorm + 1e-6f);
    }
}
