package io.spindle.drafter;

import io.spindle.model.GptTrainer;
import io.spindle.model.speculative.DraftLengthBandit;
import io.spindle.model.speculative.SpeculativeDecoder;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * What the drafter is worth as it trains: every {@code everySteps} drafter steps, inside an idle window, the
 * spot trainer continues a prompt from its training stream greedily, batch 1, with the target alone and then
 * speculatively (the draft lengths chosen by the same bandit {@code POST /generate} uses), and compares.
 * Either decode stops the moment the window closes, so a probe yields to the trainer as fast as a step does;
 * a cut probe measures nothing.
 */
final class SpeedupProbe {

    private static final Logger LOG = Logger.getLogger(SpeedupProbe.class);
    /** Fewer tokens than this say little about an accept length. */
    static final int MIN_TOKENS = 8;
    /** The prompt: the start of a row the drafter just trained on. */
    static final int PROMPT_TOKENS = 16;

    /** One probe's result: mean tokens per target pass, and target-only over speculative decode time. */
    record Measurement(double acceptLength, double speedup, double targetTokensPerSecond,
                       double speculativeTokensPerSecond, int tokens, boolean greedyIdentical) {
    }

    private final int everySteps;
    private final int tokens;
    private final DraftLengthBandit bandit;
    private long probedAtStep;

    /** @param everySteps drafter steps between probes; 0 turns probing off */
    SpeedupProbe(int everySteps, int tokens, DraftLengthBandit bandit) {
        if (everySteps < 0) {
            throw new IllegalArgumentException("spindle.drafter.spot.probe-every-steps must be >= 0, was " + everySteps);
        }
        if (tokens < MIN_TOKENS) {
            throw new IllegalArgumentException("spindle.drafter.spot.probe-tokens must be >= " + MIN_TOKENS + ", was " + tokens);
        }
        this.everySteps = everySteps;
        this.tokens = tokens;
        this.bandit = bandit;
    }

    /** A probe's prompt: the start of {@code row}, a training row of {@code rowLength} tokens. */
    static int[] prompt(int[] row, int rowLength) {
        return Arrays.copyOf(row, Math.min(PROMPT_TOKENS, rowLength - 1));
    }

    /** Whether the drafter has trained enough steps since the last probe to be worth measuring again. */
    boolean due(long drafterSteps) {
        return everySteps > 0 && drafterSteps - probedAtStep >= everySteps;
    }

    /**
     * Decodes {@code prompt} both ways while {@code keepGoing} holds. Empty when the window closed first (the
     * probe is due again in the next window), or when the models cannot take the prompt (no target yet,
     * vocabularies that differ, too short a context; due again after {@code everySteps} more steps).
     */
    Optional<Measurement> measure(GptTrainer target, DrafterModel drafter, int[] prompt, BooleanSupplier keepGoing) {
        if (target == null || !drafter.ready() || drafter.vocabSize() != target.config().vocabSize()) {
            probedAtStep = drafter.steps();
            return Optional.empty();
        }
        int context = Math.min(target.config().contextLength(), drafter.contextLength());
        int wanted = Math.min(tokens, context - prompt.length);
        if (wanted < MIN_TOKENS) {
            probedAtStep = drafter.steps();
            return Optional.empty();
        }
        long start = System.nanoTime();
        int[] reference;
        try (GptTrainer.CachedModel model = target.cachedModel()) {
            reference = SpeculativeDecoder.generate(model, prompt, wanted, 0f, new Random(0), keepGoing);
        }
        long targetNanos = System.nanoTime() - start;
        if (reference.length < wanted) {
            return Optional.empty();
        }
        start = System.nanoTime();
        SpeculativeDecoder.Result result = drafter.speculate(target, prompt, wanted, 0f, stoppable(keepGoing), new Random(0));
        long speculativeNanos = System.nanoTime() - start;
        if (result.tokens().length < wanted) {
            return Optional.empty();
        }
        probedAtStep = drafter.steps();
        boolean identical = Arrays.equals(reference, result.tokens());
        if (!identical) {
            LOG.errorf("speculative greedy output differs from the target's own at drafter step %d: a bug, not noise",
                    drafter.steps());
        }
        return Optional.of(new Measurement(result.acceptLength(), (double) targetNanos / speculativeNanos,
                wanted / (targetNanos / 1e9), wanted / (speculativeNanos / 1e9), wanted, identical));
    }

    /** The bandit's policy for batch size 1, ending the decode once {@code keepGoing} turns false. */
    private SpeculativeDecoder.DraftLengthPolicy stoppable(BooleanSupplier keepGoing) {
        SpeculativeDecoder.DraftLengthPolicy policy = bandit.policy(1);
        return new SpeculativeDecoder.DraftLengthPolicy() {
            @Override
            public int next() {
                return keepGoing.getAsBoolean() ? policy.next() : STOP;
            }

            @Override
            public void observe(int draftLength, int emitted, long nanos) {
                policy.observe(draftLength, emitted, nanos);
            }
        };
    }
}
