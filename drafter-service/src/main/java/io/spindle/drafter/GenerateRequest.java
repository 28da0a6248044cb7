package io.spindle.drafter;

/**
 * The body of {@code POST /generate}.
 *
 * @param prompt      text to continue; required, not blank
 * @param maxTokens   tokens to generate, >= 1 (default 64); prompt tokens + maxTokens must fit the context
 * @param temperature 0 = greedy (default); > 0 samples from softmax(logits / temperature)
 * @param speculative true (default): the drafter proposes, the target verifies; false: target only
 * @param seed        seeds sampling, for reproducible sampled output (optional)
 */
public record GenerateRequest(String prompt, Integer maxTokens, Float temperature, Boolean speculative, Long seed) {
}
