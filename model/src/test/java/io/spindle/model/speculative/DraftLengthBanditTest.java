package io.spindle.model.speculative;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DraftLengthBanditTest {

    @Test
    void triesEveryArmThenSettlesOnTheFastest() {
        DraftLengthBandit bandit = new DraftLengthBandit(new int[] {1, 2, 3, 4, 6}, 0.1, 1);
        Random noise = new Random(2);
        // A synthetic rollout where γ = 3 emits the most tokens per second.
        double[] tokensPerSecond = {100, 180, 260, 220, 150};
        int[] arms = {1, 2, 3, 4, 6};
        int chosenThree = 0;
        for (int round = 0; round < 2_000; round++) {
            int gamma = bandit.choose(1);
            int arm = java.util.Arrays.binarySearch(arms, gamma);
            double rate = tokensPerSecond[arm] * (0.9 + 0.2 * noise.nextDouble());
            bandit.observe(1, gamma, 10, (long) (10 / rate * 1e9));
            if (round >= 1_000 && gamma == 3) {
                chosenThree++;
            }
        }
        assertTrue(chosenThree > 850, "exploits the best arm about 1 - ε of the time, got " + chosenThree);
    }

    @Test
    void batchSizesLearnSeparately() {
        DraftLengthBandit bandit = new DraftLengthBandit(new int[] {1, 8}, 0.0, 3);
        for (int i = 0; i < 2; i++) {
            int small = bandit.choose(1);
            bandit.observe(1, small, small == 8 ? 9 : 2, 1_000_000);
            int large = bandit.choose(64);
            bandit.observe(64, large, large == 1 ? 2 : 3, 1_000_000);
        }
        assertEquals(8, bandit.choose(1));
        assertEquals(8, bandit.choose(64), "3 tokens beat 2 in the same time at batch 64 too");
        bandit.observe(64, 1, 50, 1_000_000);
        assertEquals(1, bandit.choose(64));
        assertEquals(8, bandit.choose(1), "batch 1 is unaffected by what batch 64 learned");
    }

    @Test
    void bucketsGroupBatchSizes() {
        assertEquals(0, DraftLengthBandit.bucket(1));
        assertEquals(1, DraftLengthBandit.bucket(3));
        assertEquals(2, DraftLengthBandit.bucket(16));
        assertEquals(3, DraftLengthBandit.bucket(17));
    }

    @Test
    void armsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new DraftLengthBandit(new int[] {0, 2}, 0.1, 1));
    }
}
