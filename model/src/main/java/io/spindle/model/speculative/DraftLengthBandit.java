package io.spindle.model.speculative;

import java.util.Arrays;
import java.util.Random;

/**
 * Chooses the draft length γ with an epsilon-greedy bandit, as TLT's adaptive rollout engine does: one
 * set of arms per batch-size bucket (what pays off at batch 1 differs from batch 32), reward = tokens
 * emitted per second of the round. Untried arms are tried first; then, with probability ε, a random arm,
 * otherwise the arm with the best mean reward.
 */
public final class DraftLengthBandit {

    /** Upper bounds of the batch-size buckets; a batch larger than the last falls in a final bucket. */
    private static final int[] BUCKET_LIMITS = {1, 4, 16};

    private final int[] arms;
    private final double epsilon;
    private final Random random;
    private final double[][] meanReward;
    private final long[][] pulls;

    /**
     * @param arms    candidate draft lengths, e.g. {@code 1, 2, 3, 4, 6, 8}
     * @param epsilon exploration probability
     */
    public DraftLengthBandit(int[] arms, double epsilon, long seed) {
        if (arms.length == 0 || Arrays.stream(arms).anyMatch(a -> a < 1)) {
            throw new IllegalArgumentException("arms must be draft lengths >= 1: " + Arrays.toString(arms));
        }
        this.arms = arms.clone();
        this.epsilon = epsilon;
        this.random = new Random(seed);
        this.meanReward = new double[BUCKET_LIMITS.length + 1][arms.length];
        this.pulls = new long[BUCKET_LIMITS.length + 1][arms.length];
    }

    static int bucket(int batchSize) {
        for (int i = 0; i < BUCKET_LIMITS.length; i++) {
            if (batchSize <= BUCKET_LIMITS[i]) {
                return i;
            }
        }
        return BUCKET_LIMITS.length;
    }

    /** The draft length to use next for a batch of this size. */
    public synchronized int choose(int batchSize) {
        int b = bucket(batchSize);
        for (int a = 0; a < arms.length; a++) {
            if (pulls[b][a] == 0) {
                return arms[a];
            }
        }
        if (random.nextDouble() < epsilon) {
            return arms[random.nextInt(arms.length)];
        }
        int best = 0;
        for (int a = 1; a < arms.length; a++) {
            if (meanReward[b][a] > meanReward[b][best]) {
                best = a;
            }
        }
        return arms[best];
    }

    /** Records one round: {@code emitted} tokens in {@code nanos} with draft length {@code draftLength}. */
    public synchronized void observe(int batchSize, int draftLength, int emitted, long nanos) {
        int arm = indexOf(draftLength);
        if (arm < 0) {
            return; // a length the bandit did not offer (e.g. clipped at the end of a generation)
        }
        int b = bucket(batchSize);
        double reward = emitted / (Math.max(nanos, 1) / 1e9);
        pulls[b][arm]++;
        meanReward[b][arm] += (reward - meanReward[b][arm]) / pulls[b][arm];
    }

    /** Mean reward (tokens/s) of each arm in a bucket, for reports. */
    public synchronized double[] meanRewards(int batchSize) {
        return meanReward[bucket(batchSize)].clone();
    }

    /** A policy for one generation at a given batch size. */
    public SpeculativeDecoder.DraftLengthPolicy policy(int batchSize) {
        return new SpeculativeDecoder.DraftLengthPolicy() {
            @Override
            public int next() {
                return choose(batchSize);
            }

            @Override
            public void observe(int draftLength, int emitted, long nanos) {
                DraftLengthBandit.this.observe(batchSize, draftLength, emitted, nanos);
            }
        };
    }

    private int indexOf(int draftLength) {
        for (int a = 0; a < arms.length; a++) {
            if (arms[a] == draftLength) {
                return a;
            }
        }
        return -1;
    }
}
