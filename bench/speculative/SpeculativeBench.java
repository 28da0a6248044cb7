import io.spindle.model.EagleTrainer;
import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import io.spindle.model.speculative.DraftLengthBandit;
import io.spindle.model.speculative.SpeculativeDecoder;
import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.SpecialTokens;
import io.spindle.tokenizers.TokenizerJsonReader;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * bench/speculative: trains a target GPT on samples/ as the demo does (documents in corpus order, EOS between
 * them, rows of T+1 tokens, B rows a step), trains the EAGLE drafter on the following rows (what the spot
 * trainer reads from train.batches), then decodes held-out documents (the corpus's last ones, which training
 * never reaches) at batch 1, greedy: target-only, then speculative, in the same process and threads.
 *
 * <p>Modes: {@code train WORK} (writes target/ and drafter/ into WORK) and {@code eval WORK} (prints JSON).
 * Shape and lengths come from the environment: V D L H T B, TARGET_STEPS, DRAFTER_STEPS, PROMPTS,
 * PROMPT_TOKENS, NEW_TOKENS, DRAFT_VOCAB, GAMMA (0 = the bandit).
 */
public class SpeculativeBench {

    static int env(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    static final int V = env("V", 8192), D = env("D", 256), L = env("L", 4), H = env("H", 4), T = env("T", 128), B = env("B", 8);
    static final int TARGET_STEPS = env("TARGET_STEPS", 200), DRAFTER_STEPS = env("DRAFTER_STEPS", 300);
    static final int PROMPTS = env("PROMPTS", 20), PROMPT_TOKENS = env("PROMPT_TOKENS", 32), NEW_TOKENS = env("NEW_TOKENS", 64);
    static final int DRAFT_VOCAB = env("DRAFT_VOCAB", EagleTrainer.DEFAULT_DRAFT_VOCABULARY), GAMMA = env("GAMMA", 0);
    /** Documents at the end of the corpus kept out of training. */
    static final int HELD_OUT_DOCUMENTS = 200;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[1]);
        ByteLevelBpeEncoder encoder = new ByteLevelBpeEncoder(TokenizerJsonReader.read(Path.of("samples/tokenizer.json")));
        List<String> documents = corpus(Path.of("samples/corpus.jsonl.gz"));
        List<String> training = documents.subList(0, documents.size() - HELD_OUT_DOCUMENTS);
        List<String> heldOut = documents.subList(documents.size() - HELD_OUT_DOCUMENTS, documents.size());
        if (args[0].equals("train")) {
            train(work, encoder, training);
        } else {
            eval(work, encoder, heldOut);
        }
    }

    static GptConfig shape() {
        return new GptConfig(V, T, D, H, L);
    }

    static void train(Path work, ByteLevelBpeEncoder encoder, List<String> training) {
        Rows rows = new Rows(encoder, training);
        long start = System.nanoTime();
        try (GptTrainer target = new GptTrainer(shape(), OptimizerConfig.defaults(TARGET_STEPS).withSeed(1337))) {
            for (int step = 1; step <= TARGET_STEPS; step++) {
                GptTrainer.StepResult result = target.trainStep(rows.next(B), B, T + 1);
                progress("target", step, TARGET_STEPS, result.loss(), start);
            }
            target.save(work.resolve("target"));
            start = System.nanoTime();
            try (EagleTrainer drafter = new EagleTrainer(target, OptimizerConfig.defaults(DRAFTER_STEPS).withSeed(7))) {
                for (int step = 1; step <= DRAFTER_STEPS; step++) {
                    GptTrainer.StepResult result = drafter.trainStep(rows.next(B), B, T + 1);
                    progress("drafter", step, DRAFTER_STEPS, result.loss(), start);
                }
                drafter.save(work.resolve("drafter"));
            }
        }
    }

    static void progress(String what, int step, int total, float loss, long startNanos) {
        if (step == 1 || step % 25 == 0 || step == total) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double tokensPerSecond = (double) step * B * T / seconds;
            System.err.printf(Locale.ROOT, "%s step %d/%d loss %.3f, %.0f tokens/s, ETA %.0f s%n",
                    what, step, total, loss, tokensPerSecond, seconds / step * (total - step));
        }
    }

    static void eval(Path work, ByteLevelBpeEncoder encoder, List<String> heldOut) {
        OptimizerConfig unused = OptimizerConfig.defaults(1);
        List<int[]> prompts = new ArrayList<>();
        for (String document : heldOut) {
            int[] ids = encoder.encode(document);
            if (ids.length >= PROMPT_TOKENS) {
                prompts.add(Arrays.copyOf(ids, PROMPT_TOKENS));
            }
            if (prompts.size() == PROMPTS) {
                break;
            }
        }
        try (GptTrainer target = GptTrainer.load(work.resolve("target"), unused);
             EagleTrainer eagle = EagleTrainer.load(work.resolve("drafter"), target, unused);
             GptTrainer.CachedModel targetModel = target.cachedModel();
             EagleTrainer.CachedDrafter drafter = eagle.drafter(DRAFT_VOCAB)) {
            SpeculativeDecoder decoder = new SpeculativeDecoder(targetModel, drafter);
            DraftLengthBandit bandit = new DraftLengthBandit(new int[] {2, 3, 4, 5, 6, 8}, 0.1, 11);
            // Warm-up: first calls pay for lazy initialisation in PyTorch and the JIT.
            for (int i = 0; i < 3; i++) {
                SpeculativeDecoder.generate(targetModel, prompts.get(i), NEW_TOKENS, 0f, new Random(0));
                decoder.generate(prompts.get(i), NEW_TOKENS, 0f, policy(bandit), new Random(0));
            }
            long targetNanos = 0;
            long speculativeNanos = 0;
            long passes = 0;
            long drafted = 0;
            long accepted = 0;
            long emitted = 0;
            boolean identical = true;
            String sample = "";
            for (int[] prompt : prompts) {
                long start = System.nanoTime();
                int[] expected = SpeculativeDecoder.generate(targetModel, prompt, NEW_TOKENS, 0f, new Random(0));
                targetNanos += System.nanoTime() - start;
                start = System.nanoTime();
                SpeculativeDecoder.Result result = decoder.generate(prompt, NEW_TOKENS, 0f, policy(bandit), new Random(0));
                speculativeNanos += System.nanoTime() - start;
                identical &= Arrays.equals(expected, result.tokens());
                passes += result.targetPasses();
                drafted += result.drafted();
                accepted += result.accepted();
                emitted += result.tokens().length - 1;
                if (sample.isEmpty()) {
                    sample = encoder.decode(prompt) + " >>> " + encoder.decode(result.tokens());
                }
            }
            long tokens = (long) prompts.size() * NEW_TOKENS;
            double targetTokensPerSecond = tokens / (targetNanos / 1e9);
            double speculativeTokensPerSecond = tokens / (speculativeNanos / 1e9);
            System.err.println("sample: " + sample.replace('\n', ' '));
            System.err.println("bandit mean reward (tokens/s) by draft length 2,3,4,5,6,8: "
                    + Arrays.toString(bandit.meanRewards(1)));
            System.out.printf(Locale.ROOT, "{\"target_tokens_s\":%.1f,\"speculative_tokens_s\":%.1f,\"speedup\":%.3f,"
                            + "\"accept_length\":%.3f,\"acceptance_rate\":%.3f,\"greedy_identical\":%b,\"prompts\":%d,"
                            + "\"new_tokens\":%d,\"draft_vocabulary\":%d,\"gamma\":\"%s\",\"target_steps\":%d,\"drafter_steps\":%d,"
                            + "\"config\":{\"V\":%d,\"D\":%d,\"L\":%d,\"H\":%d,\"T\":%d,\"B\":%d}}%n",
                    targetTokensPerSecond, speculativeTokensPerSecond, speculativeTokensPerSecond / targetTokensPerSecond,
                    (double) emitted / passes, (double) accepted / drafted, identical, prompts.size(), NEW_TOKENS,
                    DRAFT_VOCAB, GAMMA == 0 ? "bandit" : Integer.toString(GAMMA), TARGET_STEPS, DRAFTER_STEPS,
                    V, D, L, H, T, B);
        }
    }

    static SpeculativeDecoder.DraftLengthPolicy policy(DraftLengthBandit bandit) {
        if (GAMMA == 0) {
            return bandit.policy(1);
        }
        return new SpeculativeDecoder.DraftLengthPolicy() {
            public int next() {
                return GAMMA;
            }

            public void observe(int draftLength, int emitted, long nanos) {
            }
        };
    }

    static List<String> corpus(Path file) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> documents = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                documents.add(json.readTree(line).get("text").asText());
            }
        }
        return documents;
    }

    /** Documents in order, EOS after each, cut into rows of T+1 tokens with no padding (as the tokenizer packs). */
    static final class Rows {
        private final ByteLevelBpeEncoder encoder;
        private final List<String> documents;
        private int nextDocument;
        private int[] buffer = new int[0];
        private int position;

        Rows(ByteLevelBpeEncoder encoder, List<String> documents) {
            this.encoder = encoder;
            this.documents = documents;
        }

        int[] next(int rows) {
            int[] out = new int[rows * (T + 1)];
            for (int i = 0; i < out.length; i++) {
                while (position == buffer.length) {
                    int[] ids = encoder.encode(documents.get(nextDocument++ % documents.size()));
                    buffer = Arrays.copyOf(ids, ids.length + 1);
                    buffer[ids.length] = SpecialTokens.EOS_ID;
                    position = 0;
                }
                out[i] = buffer[position++];
            }
            return out;
        }
    }
}
