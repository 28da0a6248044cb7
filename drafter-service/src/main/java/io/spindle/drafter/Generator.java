package io.spindle.drafter;

import io.spindle.model.GptTrainer;
import io.spindle.model.speculative.DraftLengthBandit;
import io.spindle.model.speculative.SpeculativeDecoder;
import io.spindle.tokenizers.ByteLevelBpeEncoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates text with the current target, alone or with the drafter proposing (speculative decoding,
 * lossless: greedy output equals the target's own). One draft-length bandit serves every request, so what
 * it learned carries over; requests are batch size 1.
 */
final class Generator {

    static final int DEFAULT_MAX_TOKENS = 64;

    private final ModelRoom room;
    private final ByteLevelBpeEncoder tokenizer; // null: not configured
    private final DraftLengthBandit bandit;

    Generator(ModelRoom room, ByteLevelBpeEncoder tokenizer, DraftLengthBandit bandit) {
        this.room = room;
        this.tokenizer = tokenizer;
        this.bandit = bandit;
    }

    GenerateResponse generate(GenerateRequest request) {
        if (request.prompt() == null || request.prompt().isBlank()) {
            throw GenerateException.badRequest("prompt must be a non-blank string");
        }
        int maxTokens = request.maxTokens() == null ? DEFAULT_MAX_TOKENS : request.maxTokens();
        if (maxTokens < 1) {
            throw GenerateException.badRequest("maxTokens must be >= 1, was " + maxTokens);
        }
        float temperature = request.temperature() == null ? 0f : request.temperature();
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw GenerateException.badRequest("temperature must be a finite number >= 0, was " + temperature);
        }
        boolean speculative = request.speculative() == null || request.speculative();
        if (tokenizer == null) {
            throw GenerateException.unavailable("no tokenizer configured: set spindle.drafter.tokenizer-path");
        }
        int[] prompt = tokenizer.forAnotherThread().encode(request.prompt());
        Random random = new Random(request.seed() != null ? request.seed() : System.nanoTime());
        return room.use((target, drafter) -> {
            if (target == null) {
                throw GenerateException.unavailable("no target checkpoint loaded yet: waiting for one on train.checkpoints");
            }
            if (speculative && (drafter == null || !drafter.ready())) {
                throw GenerateException.unavailable("no drafter: spot training is disabled or still starting");
            }
            check(prompt, maxTokens, target, speculative ? drafter : null);
            long targetStep = room.target().orElseThrow().step();
            long start = System.nanoTime();
            if (!speculative) {
                int[] tokens;
                try (GptTrainer.CachedModel model = target.cachedModel()) {
                    tokens = SpeculativeDecoder.generate(model, prompt, maxTokens, temperature, random);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                return new GenerateResponse(tokenizer.decode(tokens), tokens, prompt.length, false, 1.0, null,
                        tokens.length / seconds, tokens.length, List.of(), seconds * 1e3, targetStep, null);
            }
            List<Integer> draftLengths = new ArrayList<>();
            SpeculativeDecoder.DraftLengthPolicy policy = recording(bandit.policy(1), draftLengths);
            SpeculativeDecoder.Result result = drafter.speculate(target, prompt, maxTokens, temperature, policy, random);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new GenerateResponse(tokenizer.decode(result.tokens()), result.tokens(), prompt.length, true,
                    result.acceptLength(), result.acceptanceRate(), result.tokens().length / seconds,
                    result.targetPasses(), draftLengths, seconds * 1e3, targetStep, drafter.steps());
        });
    }

    /** Both models see the prompt and every generated token, without a sliding window: all must fit. */
    private static void check(int[] prompt, int maxTokens, GptTrainer target, DrafterModel drafter) {
        int context = target.config().contextLength();
        if (drafter != null) {
            if (drafter.vocabSize() != target.config().vocabSize()) {
                throw GenerateException.unavailable("the drafter's vocabulary (" + drafter.vocabSize()
                        + ") differs from the target's (" + target.config().vocabSize() + ")");
            }
            context = Math.min(context, drafter.contextLength());
        }
        if ((long) prompt.length + maxTokens > context) {
            throw GenerateException.badRequest("prompt (" + prompt.length + " tokens) + maxTokens (" + maxTokens
                    + ") exceeds the context length " + context);
        }
        for (int id : prompt) {
            if (id >= target.config().vocabSize()) {
                throw GenerateException.badRequest("the prompt encodes to token " + id
                        + ", outside the target's vocabulary of " + target.config().vocabSize());
            }
        }
    }

    /** The bandit's policy, noting the draft length each round actually used. */
    private static SpeculativeDecoder.DraftLengthPolicy recording(SpeculativeDecoder.DraftLengthPolicy policy,
                                                                  List<Integer> used) {
        return new SpeculativeDecoder.DraftLengthPolicy() {
            @Override
            public int next() {
                return policy.next();
            }

            @Override
            public void observe(int draftLength, int emitted, long nanos) {
                used.add(draftLength);
                policy.observe(draftLength, emitted, nanos);
            }
        };
    }
}
