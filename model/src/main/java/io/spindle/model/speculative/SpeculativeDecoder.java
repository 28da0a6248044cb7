package io.spindle.model.speculative;

import java.util.Random;

/**
 * Speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a cheap drafter proposes γ tokens, the
 * target checks them all in one pass and keeps the longest acceptable prefix plus one token of its own.
 * Lossless: greedy output equals target-only greedy output, and sampled output has the target's
 * distribution, because a draft x drawn from q is accepted with probability min(1, p(x)/q(x)) and a
 * rejection resamples from norm(max(0, p − q)).
 */
public final class SpeculativeDecoder {

    /** What one generation did. */
    public record Result(int[] tokens, int targetPasses, int drafted, int accepted) {

        /** Tokens emitted per target pass: accepted drafts plus the target's own token. */
        public double acceptLength() {
            return targetPasses == 0 ? 0 : (double) tokens.length / targetPasses;
        }

        /** Share of drafted tokens the target accepted. */
        public double acceptanceRate() {
            return drafted == 0 ? 0 : (double) accepted / drafted;
        }
    }

    /** Chooses the draft length before each round and learns from its outcome. */
    public interface DraftLengthPolicy {
        int next();

        void observe(int draftLength, int emitted, long nanos);
    }

    private final LanguageModel target;
    private final LanguageModel drafter;

    public SpeculativeDecoder(LanguageModel target, LanguageModel drafter) {
        if (target.vocabSize() != drafter.vocabSize()) {
            throw new IllegalArgumentException("target and drafter vocabularies differ: "
                    + target.vocabSize() + " vs " + drafter.vocabSize());
        }
        this.target = target;
        this.drafter = drafter;
    }

    /** Target-only decoding, the reference speculative decoding must reproduce. */
    public static int[] generate(LanguageModel model, int[] prompt, int maxNewTokens, float temperature, Random random) {
        model.reset();
        float[] logits = last(model.append(prompt));
        int[] out = new int[maxNewTokens];
        for (int i = 0; i < maxNewTokens; i++) {
            out[i] = choose(logits, temperature, random);
            if (i + 1 < maxNewTokens) {
                logits = model.append(new int[] {out[i]})[0];
            }
        }
        return out;
    }

    /** Speculative decoding with a fixed draft length γ. */
    public Result generate(int[] prompt, int maxNewTokens, float temperature, int draftLength, Random random) {
        return generate(prompt, maxNewTokens, temperature, new FixedLength(draftLength), random);
    }

    /** Speculative decoding with the draft length chosen round by round. */
    public Result generate(int[] prompt, int maxNewTokens, float temperature, DraftLengthPolicy policy, Random random) {
        target.reset();
        drafter.reset();
        float[] targetNext = last(target.append(prompt));   // p(· | context)
        float[] draftNext = last(drafter.append(prompt));   // q(· | context)
        int[] out = new int[maxNewTokens];
        int produced = 0;
        int passes = 0;
        int drafted = 0;
        int accepted = 0;
        while (produced < maxNewTokens) {
            long start = System.nanoTime();
            int gamma = Math.max(1, Math.min(policy.next(), maxNewTokens - produced - 1));
            int contextLength = target.length();

            // Draft γ tokens, keeping the drafter's distribution for each.
            int[] drafts = new int[gamma];
            float[][] draftLogits = new float[gamma][];
            float[] q = draftNext;
            for (int i = 0; i < gamma; i++) {
                draftLogits[i] = q;
                drafts[i] = choose(q, temperature, random);
                q = drafter.append(new int[] {drafts[i]})[0];
            }

            // One target pass scores every draft: p before each draft, and p after the last.
            float[][] verified = target.append(drafts);
            passes++;
            drafted += gamma;
            int kept = 0;
            int next = -1;
            for (int i = 0; i < gamma && next < 0; i++) {
                float[] p = i == 0 ? targetNext : verified[i - 1];
                if (acceptable(p, draftLogits[i], drafts[i], temperature, random)) {
                    kept++;
                } else {
                    next = correction(p, draftLogits[i], temperature, random);
                }
            }
            if (next < 0) {
                next = choose(verified[gamma - 1], temperature, random); // every draft kept: a bonus token
            }
            accepted += kept;

            int emit = Math.min(kept + 1, maxNewTokens - produced);
            System.arraycopy(drafts, 0, out, produced, Math.min(kept, emit));
            if (emit == kept + 1) {
                out[produced + kept] = next;
            }
            produced += emit;
            policy.observe(gamma, emit, System.nanoTime() - start);
            if (produced >= maxNewTokens) {
                break;
            }
            // Roll both caches back to the kept prefix, then feed the token that followed it.
            target.truncate(contextLength + kept);
            drafter.truncate(contextLength + kept);
            targetNext = target.append(new int[] {next})[0];
            draftNext = drafter.append(new int[] {next})[0];
        }
        return new Result(out, passes, drafted, accepted);
    }

    private static boolean acceptable(float[] targetLogits, float[] draftLogits, int token, float temperature, Random random) {
        if (temperature == 0) {
            return Distributions.argmax(targetLogits) == token;
        }
        double p = Distributions.probabilities(targetLogits, temperature)[token];
        double q = Distributions.probabilities(draftLogits, temperature)[token];
        return random.nextDouble() < Math.min(1.0, p / q);
    }

    private static int correction(float[] targetLogits, float[] draftLogits, float temperature, Random random) {
        if (temperature == 0) {
            return Distributions.argmax(targetLogits);
        }
        double[] p = Distributions.probabilities(targetLogits, temperature);
        double[] q = Distributions.probabilities(draftLogits, temperature);
        return Distributions.sample(Distributions.residual(p, q), random);
    }

    private static int choose(float[] logits, float temperature, Random random) {
        return temperature == 0
                ? Distributions.argmax(logits)
                : Distributions.sample(Distributions.probabilities(logits, temperature), random);
    }

    private static float[] last(float[][] rows) {
        return rows[rows.length - 1];
    }

    private record FixedLength(int length) implements DraftLengthPolicy {
        FixedLength {
            if (length < 1) {
                throw new IllegalArgumentException("draft length must be >= 1, got " + length);
            }
        }

        @Override
        public int next() {
            return length;
        }

        @Override
        public void observe(int draftLength, int emitted, long nanos) {
        }
    }
}
