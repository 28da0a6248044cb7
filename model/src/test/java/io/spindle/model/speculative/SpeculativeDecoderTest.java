package io.spindle.model.speculative;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeculativeDecoderTest {

    private static final int VOCAB = 50;

    @Test
    void greedyOutputIsIdenticalToTargetOnlyGreedyOnManyPrompts() {
        BigramModel target = BigramModel.random(VOCAB, 1, 2f);
        BigramModel drafter = target.noisy(1.5f, 2);
        Random prompts = new Random(3);
        int acceptedSomewhere = 0;
        for (int trial = 0; trial < 300; trial++) {
            int[] prompt = prompts.ints(1 + prompts.nextInt(6), 0, VOCAB).toArray();
            int gamma = 1 + trial % 6;
            int[] expected = SpeculativeDecoder.generate(target, prompt, 40, 0f, new Random(0));
            SpeculativeDecoder.Result result = new SpeculativeDecoder(target, drafter)
                    .generate(prompt, 40, 0f, gamma, new Random(0));
            assertArrayEquals(expected, result.tokens(), "prompt " + trial + ", gamma " + gamma);
            acceptedSomewhere += result.accepted();
        }
        assertTrue(acceptedSomewhere > 0, "a noisy drafter still gets some drafts accepted");
    }

    @Test
    void aPerfectDrafterHasEveryDraftAccepted() {
        BigramModel target = BigramModel.random(VOCAB, 5, 2f);
        SpeculativeDecoder decoder = new SpeculativeDecoder(target, target.noisy(0f, 0));
        // The prompt's pass gives the first token; the other 40 come 5 to a verification pass.
        SpeculativeDecoder.Result result = decoder.generate(new int[] {7}, 41, 0f, 4, new Random(1));
        assertEquals(1.0, result.acceptanceRate());
        assertEquals(5.0, result.acceptLength(), 1e-9, "4 drafts + 1 bonus token per target pass");
        assertEquals(8, result.targetPasses());
    }

    @Test
    void sampledTokensFollowTheTargetDistribution() {
        int vocab = 6;
        float temperature = 1f;
        BigramModel target = BigramModel.random(vocab, 11, 1f);
        BigramModel drafter = target.noisy(1.2f, 12);
        int runs = 20_000;

        long[] speculative = new long[vocab * vocab];
        long[] draftOnly = new long[vocab * vocab];
        SpeculativeDecoder decoder = new SpeculativeDecoder(target, drafter);
        Random random = new Random(13);
        for (int i = 0; i < runs; i++) {
            int[] tokens = decoder.generate(new int[] {0}, 2, temperature, 3, random).tokens();
            speculative[tokens[0] * vocab + tokens[1]]++;
            int[] drafted = SpeculativeDecoder.generate(drafter, new int[] {0}, 2, temperature, random);
            draftOnly[drafted[0] * vocab + drafted[1]]++;
        }
        // The exact target distribution of the first two tokens after prompt [0].
        double[] expected = new double[vocab * vocab];
        double[] first = target.probabilities(0, temperature);
        for (int a = 0; a < vocab; a++) {
            double[] second = target.probabilities(a, temperature);
            for (int b = 0; b < vocab; b++) {
                expected[a * vocab + b] = first[a] * second[b];
            }
        }
        double critical = 66.6; // chi-square, 35 degrees of freedom, p = 0.001
        double chiSpeculative = chiSquare(speculative, expected, runs);
        assertTrue(chiSpeculative < critical, "speculative sampling matches the target: chi2 = " + chiSpeculative);
        // The control: the drafter's own samples are clearly not the target's, so the test can tell.
        double chiDrafter = chiSquare(draftOnly, expected, runs);
        assertTrue(chiDrafter > 10 * critical, "the drafter alone differs: chi2 = " + chiDrafter);
    }

    @Test
    void adaptiveDraftLengthKeepsGreedyLossless() {
        BigramModel target = BigramModel.random(VOCAB, 21, 2f);
        SpeculativeDecoder decoder = new SpeculativeDecoder(target, target.noisy(0.8f, 22));
        DraftLengthBandit bandit = new DraftLengthBandit(new int[] {1, 2, 4, 8}, 0.1, 23);
        for (int trial = 0; trial < 50; trial++) {
            int[] prompt = {trial % VOCAB};
            SpeculativeDecoder.Result result = decoder.generate(prompt, 30, 0f, bandit.policy(1), new Random(trial));
            assertArrayEquals(SpeculativeDecoder.generate(target, prompt, 30, 0f, new Random(0)), result.tokens());
        }
    }

    @Test
    void aStoppedGenerationReturnsTheTokensSoFarUnchanged() {
        BigramModel target = BigramModel.random(VOCAB, 31, 2f);
        int[] prompt = {3, 9};
        int[] full = SpeculativeDecoder.generate(target, prompt, 30, 0f, new Random(0));

        int[] polls = {0};
        int[] targetOnly = SpeculativeDecoder.generate(target, prompt, 30, 0f, new Random(0), () -> ++polls[0] < 5);
        assertEquals(5, targetOnly.length, "one token per pass until keepGoing turned false");
        assertArrayEquals(java.util.Arrays.copyOf(full, 5), targetOnly);

        int[] rounds = {0};
        SpeculativeDecoder.DraftLengthPolicy threeRounds = new SpeculativeDecoder.DraftLengthPolicy() {
            @Override
            public int next() {
                return rounds[0]++ < 3 ? 2 : STOP;
            }

            @Override
            public void observe(int draftLength, int emitted, long nanos) {
            }
        };
        SpeculativeDecoder.Result stopped = new SpeculativeDecoder(target, target.noisy(1f, 32))
                .generate(prompt, 30, 0f, threeRounds, new Random(0));
        assertEquals(3, stopped.targetPasses());
        assertTrue(stopped.tokens().length >= 4 && stopped.tokens().length <= 10, "1 + 3 rounds of 1-3 tokens");
        assertArrayEquals(java.util.Arrays.copyOf(full, stopped.tokens().length), stopped.tokens(), "still lossless");
    }

    @Test
    void vocabulariesMustAgree() {
        assertThrows(IllegalArgumentException.class,
                () -> new SpeculativeDecoder(BigramModel.random(5, 1, 1f), BigramModel.random(6, 1, 1f)));
    }

    private static double chiSquare(long[] observed, double[] expected, int runs) {
        double chi = 0;
        for (int i = 0; i < observed.length; i++) {
            double e = expected[i] * runs;
            chi += (observed[i] - e) * (observed[i] - e) / e;
        }
        return chi;
    }
}
