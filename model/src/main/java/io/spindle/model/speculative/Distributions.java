package io.spindle.model.speculative;

import java.util.Random;

/** Turning logits into choices: greedy argmax, or sampling at a temperature. */
final class Distributions {

    private Distributions() {
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** softmax(logits / temperature), in double for stable ratios p/q. */
    static double[] probabilities(float[] logits, float temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    static int sample(double[] probabilities, Random random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < probabilities.length; i++) {
            cumulative += probabilities[i];
            if (u < cumulative) {
                return i;
            }
        }
        // u fell in the rounding gap above the last cumulative sum: take the last token with mass
        for (int i = probabilities.length - 1; i > 0; i--) {
            if (probabilities[i] > 0) {
                return i;
            }
        }
        return 0;
    }

    /** norm(max(0, p - q)): where the target wants more than the drafter offered. */
    static double[] residual(double[] p, double[] q) {
        double[] r = new double[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            r[i] = Math.max(0, p[i] - q[i]);
            sum += r[i];
        }
        if (sum == 0) {
            return p; // p == q: a rejection cannot happen, but stay well-defined
        }
        for (int i = 0; i < r.length; i++) {
            r[i] /= sum;
        }
        return r;
    }
}
