package io.spindle.drafter;

import java.util.List;

/**
 * What {@code POST /generate} answers.
 *
 * @param text            the generated continuation (without the prompt)
 * @param tokens          its token ids
 * @param promptTokens    how many tokens the prompt encoded to
 * @param speculative     whether the drafter took part
 * @param acceptLength    tokens emitted per target pass (1 for target-only decoding)
 * @param acceptanceRate  share of drafted tokens the target accepted; null without drafts
 * @param tokensPerSecond generated tokens over decoding time (tokenizing excluded)
 * @param targetPasses    forward passes of the target (the prompt's included)
 * @param draftLengths    the draft length γ of each speculative round, as the bandit chose it
 * @param elapsedMs       decoding time
 * @param targetStep      step of the target checkpoint that generated
 * @param drafterSteps    training steps of the drafter that drafted; null for target-only decoding
 */
public record GenerateResponse(String text, int[] tokens, int promptTokens, boolean speculative, double acceptLength,
                               Double acceptanceRate, double tokensPerSecond, int targetPasses,
                               List<Integer> draftLengths, double elapsedMs, long targetStep, Long drafterSteps) {
}
