package io.spindle.model.speculative;

import java.util.Arrays;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a cheap drafter proposes γ tokens, the
 * target checks them all in one pass and keeps the longest acceptable prefix plus one token of its own.
 * Lossless: greedy output equals target-only greedy output, and sampled output has the target's
 * distribution, because a draft x drawn from q is accepted with probability min(1, p(x)/q(x)) and a
 * rejection resamples from norm(max(0, p − q)).
 */
public final class SpeculativeDecoder {

    /**
     * What one generation did. {@code targetPasses} counts the verification passes after the prompt's; each
     * emits the drafts it accepted plus one token of the target's own.
     */
    public record Result(int[] tokens, int targetPasses, int drafted, int accepted) {

        /** Tokens emitted per verification pass (TLT's and EAGLE's accept length τ); the first token comes from the prompt's pass. */
        public double acceptLength() {
            return targetPasses == 0 ? 0 : (double) (tokens.length - 1) / targetPasses;
        }

        /** Share of drafted tokens the target accepted. */
        public double acceptanceRate() {
            return drafted == 0 ? 0 : (double) accepted / drafted;
        }
    }

    /** Chooses the draft length before each round and learns from its outcome. */
    public interface DraftLengthPolicy {
        /** The next round's draft length γ ≥ 1, or {@link #STOP} to end the generation here. */
        int next();

        /** From {@link #next}: the caller no longer wants the rest (the result holds the tokens so far). */
        int STOP = 0;

        void observe(int draftLength, int emitted, long nanos);
    }

    private final TargetModel target;
    private final Drafter drafter;

    public SpeculativeDecoder(TargetModel target, Drafter drafter) {
        if (target.vocabSize() != drafter.vocabSize()) {
            throw new IllegalArgumentException("target and drafter vocabularies differ: "
                    + target.vocabSize() + " vs " + drafter.vocabSize());
        }
        this.target = target;
        this.drafter = drafter;
    }

    /** A small language model drafting for a target, neither of which shares features. */
    public SpeculativeDecoder(LanguageModel target, LanguageModel drafter) {
        this(TargetModel.withoutFeatures(target), new LanguageModelDrafter(drafter));
    }

    /** Target-only decoding, the reference speculative decoding must reproduce: one pass per token. */
    public static int[] generate(LanguageModel model, int[] prompt, int maxNewTokens, float temperature, Random random) {
        return generate(model, prompt, maxNewTokens, temperature, random, () -> true);
    }

    /** Target-only decoding that ends early, with the tokens so far, once {@code keepGoing} turns false. */
    public static int[] generate(LanguageModel model, int[] prompt, int maxNewTokens, float temperature, Random random,
                                 BooleanSupplier keepGoing) {
        model.reset();
        float[] logits = last(model.append(prompt));
        int[] out = new int[maxNewTokens];
        for (int i = 0; i < maxNewTokens; i++) {
            out[i] = choose(logits, temperature, random);
            if (i + 1 < maxNewTokens) {
                if (!keepGoing.getAsBoolean()) {
                    return Arrays.copyOf(out, i + 1);
                }
                logits = model.append(new int[] {out[i]})[0];
            }
        }
        return out;
    }

    /** Speculative decoding with a fixed draft length γ. */
    public Result generate(int[] prompt, int maxNewTokens, float temperature, int draftLength, Random random) {
        return generate(prompt, maxNewTokens, temperature, new FixedLength(draftLength), random);
    }

    /**
     * Speculative decoding with the draft length chosen round by round. Each round costs one target pass:
     * the target is fed the token it chose last round (not fed yet) followed by the γ drafts, which scores
     * every draft and yields the token after the last one.
     */
    public Result generate(int[] prompt, int maxNewTokens, float temperature, DraftLengthPolicy policy, Random random) {
        int[] out = new int[maxNewTokens];
        if (maxNewTokens == 0) {
            return new Result(out, 0, 0, 0);
        }
        target.reset();
        int pending = choose(last(target.append(prompt)), temperature, random); // the target's; not fed yet
        out[0] = pending;
        int produced = 1;
        float[] q = drafter.start(prompt, target.lastFeatures(), pending);   // q(· | context, pending)
        int passes = 0;
        int drafted = 0;
        int accepted = 0;
        while (produced < maxNewTokens) {
            long start = System.nanoTime();
            // A round emits at most γ + 1 tokens: draft no more than the tokens still wanted.
            int wanted = policy.next();
            if (wanted == DraftLengthPolicy.STOP) {
                return new Result(Arrays.copyOf(out, produced), passes, drafted, accepted);
            }
            int gamma = Math.max(1, Math.min(wanted, maxNewTokens - produced - 1));
            int contextLength = target.length();

            // Draft γ tokens, keeping the drafter's distribution for each.
            int[] fed = new int[gamma + 1];
            fed[0] = pending;
            float[][] draftLogits = new float[gamma][];
            for (int i = 0; i < gamma; i++) {
                draftLogits[i] = q;
                fed[i + 1] = choose(q, temperature, random);
                if (i + 1 < gamma) {
                    q = drafter.draft(fed[i + 1]);
                }
            }

            // One target pass: p for each draft (after the token before it), and p after the last draft.
            float[][] verified = target.append(fed);
            float[][] features = target.lastFeatures();
            passes++;
            drafted += gamma;
            int kept = 0;
            int next = -1;
            for (int i = 0; i < gamma && next < 0; i++) {
                if (acceptable(verified[i], draftLogits[i], fed[i + 1], temperature, random)) {
                    kept++;
                } else {
                    next = correction(verified[i], draftLogits[i], temperature, random);
                }
            }
            if (next < 0) {
                next = choose(verified[gamma], temperature, random); // every draft kept: a bonus token
            }
            accepted += kept;

            int emit = Math.min(kept + 1, maxNewTokens - produced);
            System.arraycopy(fed, 1, out, produced, Math.min(kept, emit));
            if (emit == kept + 1) {
                out[produced + kept] = next;
            }
            produced += emit;
            policy.observe(gamma, emit, System.nanoTime() - start);
            if (produced >= maxNewTokens) {
                break;
            }
            // The target keeps pending and the accepted drafts; the drafter commits them with their features.
            target.truncate(contextLength + 1 + kept);
            int[] committed = Arrays.copyOfRange(fed, 1, kept + 2);
            committed[kept] = next;
            q = drafter.commit(committed, Arrays.copyOf(features, kept + 1));
            pending = next;
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
