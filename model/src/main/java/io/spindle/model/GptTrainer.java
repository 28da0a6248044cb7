package io.spindle.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import io.spindle.model.speculative.TargetModel;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Trains, evaluates, samples from and saves one {@link Gpt}. Owns the DJL model and trainer; close it.
 *
 * <p>Token batches are row-major {@code int[]}s of {@code rows x rowLength}, the {@code train.batches}
 * layout: each row holds T+1 tokens, the first T are inputs and the last T their targets.
 *
 * <p>Not thread-safe. PyTorch lets one gradient collector run per JVM, so two trainers cannot run
 * {@link #trainStep} at the same moment.
 */
public final class GptTrainer implements AutoCloseable {

    private static final String ENGINE = "PyTorch";
    private static final String WEIGHTS = "gpt";
    private static final String CONFIG_FILE = "gpt.properties";

    /**
     * One optimizer step: its 1-based number, the loss before the update, the unclipped gradient norm, the
     * learning rate, the loss scale it ran with, and whether the update was skipped (non-finite gradients
     * under dynamic loss scaling).
     */
    public record StepResult(long step, float loss, float gradNorm, float lr, float lossScale, boolean skipped) {
    }

    private final GptConfig config;
    private final OptimizerConfig optimizerConfig;
    private final Gpt gpt;
    private final Model model;
    private final Trainer trainer;
    private final GroupedAdamW optimizer;
    private final ParameterStore inferenceStore;
    private final List<Parameter> trainable;
    private final Map<String, String> idToName = new HashMap<>();
    private final Map<String, String> nameToId = new HashMap<>();
    private LossScaler lossScaler = LossScaler.disabled();
    private long rngState;
    private long step;

    public GptTrainer(GptConfig config, OptimizerConfig optimizerConfig) {
        this(config, optimizerConfig, null, 0);
    }

    private GptTrainer(GptConfig config, OptimizerConfig optimizerConfig, Path weightsDir, long step) {
        this.config = config;
        this.optimizerConfig = optimizerConfig;
        this.step = step;
        this.rngState = optimizerConfig.seed();
        gpt = new Gpt(config);
        model = Model.newInstance(WEIGHTS, ENGINE);
        try {
            model.setBlock(gpt);
            if (weightsDir != null) {
                model.load(weightsDir, WEIGHTS);
            }
            Set<String> decayed = gpt.getParameters().values().stream()
                    .filter(gpt::isDecayed).map(Parameter::getId).collect(Collectors.toSet());
            optimizer = new GroupedAdamW(optimizerConfig, decayed);
            trainer = model.newTrainer(new DefaultTrainingConfig(new TokenCrossEntropy()).optOptimizer(optimizer));
            // Initialisers draw from PyTorch's global generator: seeding it here makes the weights a
            // function of the seed alone. (Loaded weights are not redrawn.)
            Engine.getEngine(ENGINE).setRandomSeed(Long.hashCode(optimizerConfig.seed()));
            trainer.initialize(new Shape(1, config.contextLength()));
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : asRuntime(e);
        }
        inferenceStore = new ParameterStore(model.getNDManager(), false);
        trainable = gpt.getParameters().values().stream().filter(Parameter::requiresGradient).toList();
        gpt.getParameters().forEach(pair -> {
            idToName.put(pair.getValue().getId(), pair.getKey());
            nameToId.put(pair.getKey(), pair.getValue().getId());
        });
    }

    /**
     * Dynamic loss scaling for reduced-precision training. On CPU the trainer runs fp32 (DJL's bf16 aborts
     * the JVM), where the scaler stays {@link LossScaler#disabled()}; this is the seam for an engine that
     * trains in fp16.
     */
    public void useLossScaler(LossScaler scaler) {
        this.lossScaler = scaler;
    }

    public LossScaler lossScaler() {
        return lossScaler;
    }

    /**
     * One optimizer step on {@code rows} rows of {@code rowLength} = T+1 tokens: forward, mean
     * cross-entropy, backward, global gradient norm, clipping, AdamW at the scheduled learning rate.
     */
    public StepResult trainStep(int[] tokens, int rows, int rowLength) {
        Batch batch = Batch.of(tokens, rows, rowLength, config);
        float lr = optimizerConfig.learningRate(step);
        // Every array made during the step hangs off this manager and is freed with it.
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray inputs = scope.create(batch.inputs, batch.shape);   // (B, T)
            NDArray targets = scope.create(batch.targets, batch.shape); // (B, T)
            NDArray loss;
            float scale = lossScaler.scale();
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDList logits = trainer.forward(new NDList(inputs));    // (B, T, V)
                loss = trainer.getLoss().evaluate(new NDList(targets), logits);
                collector.backward(scale == 1f ? loss : Constants.times(loss, scale));
            }
            // Gradients carry the loss scale; the norm is reported, and clipping decided, without it.
            float gradNorm = globalGradNorm(trainable, scope) / scale;
            boolean apply = lossScaler.update(Float.isFinite(gradNorm));
            if (apply) {
                optimizer.prepareStep(lr, optimizerConfig.clipScale(gradNorm) / scale);
                applyUpdates();
            } else {
                discardGradients(trainable);
            }
            step++;
            rngState = nextRandom(rngState);
            return new StepResult(step, loss.getFloat(), gradNorm, lr, scale, !apply);
        }
    }

    /**
     * AdamW on every parameter, straight from its gradient (the update zeroes it). DJL's {@code Trainer.step()}
     * would route through a parameter server that first copies every gradient, for several devices: one more
     * pass over the whole model's memory each step.
     */
    private void applyUpdates() {
        for (Parameter parameter : trainable) {
            NDArray weight = parameter.getArray();
            NDArray grad = weight.getGradient();
            optimizer.update(parameter.getId(), weight, grad);
            grad.close();
        }
    }

    /**
     * Zeroes the gradients of a step that is not applied (a skipped step's hold inf/NaN, and subtraction would
     * keep NaN), so nothing leaks into the next one.
     */
    static void discardGradients(List<Parameter> trainable) {
        for (Parameter parameter : trainable) {
            NDArray grad = parameter.getArray().getGradient();
            grad.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
            grad.close();
        }
    }

    /**
     * The trainer's random stream, splitmix64. The GPT has no dropout, so training itself draws nothing and a
     * resumed run is deterministic without it; the state advances once per step and is checkpointed so a
     * stochastic layer added later resumes exactly too (PyTorch's own generator is not reachable through DJL).
     */
    static long nextRandom(long state) {
        long z = state + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Drops AdamW's moments and counts, as a weights-only load would have (tests). */
    void resetOptimizerState() {
        optimizer.clearState();
    }

    /** The random-stream state a checkpoint records. */
    public long rngState() {
        return rngState;
    }

    /** Mean next-token cross-entropy on a batch laid out as for {@link #trainStep}, without training. */
    public float evalLoss(int[] tokens, int rows, int rowLength) {
        Batch batch = Batch.of(tokens, rows, rowLength, config);
        return withoutGrad(() -> {
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray inputs = scope.create(batch.inputs, batch.shape);
                NDArray targets = scope.create(batch.targets, batch.shape);
                NDList logits = new NDList(gpt.forward(inferenceStore, new NDList(inputs), false).head());
                return trainer.getLoss().evaluate(new NDList(targets), logits).getFloat();
            }
        });
    }

    /** Logits for {@code rows x length} input tokens (no targets), flattened row-major as (B, T, V). */
    public float[] logits(int[] tokens, int rows, int length) {
        long[] ids = Batch.checkedIds(tokens, rows, length, config);
        return withoutGrad(() -> {
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray inputs = scope.create(ids, new Shape(rows, length));
                return gpt.forward(inferenceStore, new NDList(inputs), false).head().toFloatArray();
            }
        });
    }

    /**
     * Continues {@code prompt} by {@code maxNewTokens} tokens: argmax when {@code temperature == 0},
     * otherwise sampled from softmax(logits / temperature) with a generator seeded by {@code seed}.
     * The model sees at most the last contextLength tokens. Returns prompt + new tokens.
     */
    public int[] generate(int[] prompt, int maxNewTokens, float temperature, long seed) {
        return generate(prompt, maxNewTokens, temperature, seed, true);
    }

    /**
     * {@link #generate(int[], int, float, long)}, with or without the KV cache. Uncached runs the whole
     * window for every token; it exists to check the cache against (they must give identical tokens).
     */
    int[] generate(int[] prompt, int maxNewTokens, float temperature, long seed, boolean useCache) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt must hold at least one token");
        }
        if (maxNewTokens < 0 || !(temperature >= 0)) {
            throw new IllegalArgumentException(
                    "need maxNewTokens >= 0 and temperature >= 0, were " + maxNewTokens + ", " + temperature);
        }
        Batch.checkedIds(prompt, 1, prompt.length, config);
        int[] out = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        Random random = new Random(seed);
        return withoutGrad(() -> {
            if (!useCache) {
                for (int length = prompt.length; length < out.length; length++) {
                    int start = Math.max(0, length - config.contextLength());
                    out[length] = nextToken(out, start, length, temperature, random);
                }
                return out;
            }
            try (NDManager generation = trainer.getManager().newSubManager()) {
                Gpt.KvCache cache = new Gpt.KvCache(config.nLayers(), generation);
                int cacheStart = 0; // out[] index of the cache's position 0
                for (int length = prompt.length; length < out.length; length++) {
                    int start = Math.max(0, length - config.contextLength());
                    if (start != cacheStart) {
                        // The window slid: every token's position changed, so every cached key is stale.
                        cache.clear();
                        cacheStart = start;
                    }
                    out[length] = nextTokenCached(out, cacheStart + cache.length(), length, cache, temperature, random);
                }
            }
            return out;
        });
    }

    /**
     * This model as speculative decoding sees it: a KV-cached context that can grow by several tokens in one
     * forward pass (a target verifying γ drafts) and roll back (rejected drafts). Close it to free the cache.
     * The context is bounded by {@code contextLength}: no sliding window here.
     */
    public CachedModel cachedModel() {
        return new CachedModel();
    }

    /** See {@link #cachedModel()}. */
    public final class CachedModel implements TargetModel, AutoCloseable {
        private final NDManager manager = trainer.getManager().newSubManager();
        private final Gpt.KvCache cache = new Gpt.KvCache(config.nLayers(), manager);
        private float[][] lastFeatures = new float[0][];

        @Override
        public int vocabSize() {
            return config.vocabSize();
        }

        @Override
        public float[][] append(int[] tokens) {
            return withoutGrad(() -> {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray input = scope.create(Batch.checkedIds(tokens, 1, tokens.length, config),
                            new Shape(1, tokens.length));                                      // (1, t)
                    NDArray hidden = gpt.hiddenCached(inferenceStore, input, cache);           // (1, t, C)
                    lastFeatures = rows(hidden.toFloatArray(), tokens.length, config.dModel());
                    return rows(gpt.logits(inferenceStore, hidden, false).toFloatArray(),     // (1, t, V)
                            tokens.length, config.vocabSize());
                }
            });
        }

        /** The final-LayerNorm hidden states of the last append, (t, C): what the EAGLE drafter drafts from. */
        @Override
        public float[][] lastFeatures() {
            return lastFeatures;
        }

        @Override
        public void truncate(int length) {
            cache.truncate(length);
        }

        @Override
        public int length() {
            return cache.length();
        }

        @Override
        public void close() {
            cache.clear();
            manager.close();
        }
    }

    /** Token ids as int64, checked to be a {@code rows x length} block inside the vocabulary. */
    static long[] checkedIds(int[] tokens, int rows, int length, GptConfig config) {
        return Batch.checkedIds(tokens, rows, length, config);
    }

    /** A row-major (n, width) array as n rows. */
    static float[][] rows(float[] flat, int n, int width) {
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return rows;
    }

    /** Feeds {@code tokens[from, end)} (the ones not cached yet) and picks the token after them. */
    private int nextTokenCached(int[] tokens, int from, int end, Gpt.KvCache cache, float temperature, Random random) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            long[] fresh = new long[end - from];
            for (int i = 0; i < fresh.length; i++) {
                fresh[i] = tokens[from + i];
            }
            NDArray input = scope.create(fresh, new Shape(1, fresh.length));                  // (1, t)
            NDArray last = gpt.hiddenCached(inferenceStore, input, cache).get(":, -1");      // (1, C)
            return pick(gpt.logits(inferenceStore, last, false).squeeze(0), temperature, random);
        }
    }

    private static int pick(NDArray logits, float temperature, Random random) {
        if (temperature == 0) {
            return (int) logits.argMax().getLong();
        }
        return sample(logits.div(temperature).softmax(-1).toFloatArray(), random);
    }

    /** Picks the token after {@code tokens[start, end)} by running the whole window (no cache). */
    private int nextToken(int[] tokens, int start, int end, float temperature, Random random) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            long[] window = new long[end - start];
            for (int i = 0; i < window.length; i++) {
                window[i] = tokens[start + i];
            }
            NDArray context = scope.create(window, new Shape(1, window.length));   // (1, T)
            NDArray last = gpt.hidden(inferenceStore, context, false).get(":, -1"); // (1, C)
            return pick(gpt.logits(inferenceStore, last, false).squeeze(0), temperature, random);
        }
    }

    private static int sample(float[] probabilities, Random random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < probabilities.length; i++) {
            cumulative += probabilities[i];
            if (u < cumulative) {
                return i;
            }
        }
        return probabilities.length - 1; // u landed in the float rounding gap at the top
    }

    /** L2 norm over all gradients, as if they were one vector. */
    static float globalGradNorm(List<Parameter> trainable, NDManager scope) {
        NDList norms = new NDList(trainable.size());
        for (Parameter parameter : trainable) {
            NDArray grad = parameter.getArray().getGradient();
            // getGradient() returns a new handle owned by the parameter's manager; moving it (and so the
            // norm computed from it) into the step scope frees both. The gradient itself stays.
            grad.attach(scope);
            norms.add(grad.norm());
        }
        return NDArrays.stack(norms).norm().getFloat();
    }

    /** Number of optimizer steps taken (restored by {@link #load}). */
    public long step() {
        return step;
    }

    public GptConfig config() {
        return config;
    }

    public OptimizerConfig optimizerConfig() {
        return optimizerConfig;
    }

    /**
     * Final-LayerNorm hidden states (B, T, C) for {@code inputs} (B, T), without gradient, in the inputs'
     * manager: the features an EAGLE drafter learns to predict.
     */
    NDArray features(NDArray inputs) {
        return withoutGrad(() -> gpt.hidden(inferenceStore, inputs, false));
    }

    /** The token embedding (V, C), which is also the LM head, cut off from autograd: frozen for a drafter. */
    NDArray frozenTokenEmbedding() {
        return gpt.tokenEmbedding().getArray().stopGradient();
    }

    /** The block itself, for callers that run it directly (the drafter reads hidden states). */
    public Gpt gpt() {
        return gpt;
    }

    /**
     * Exports the weights to a safetensors file with descriptive, PyTorch-style names:
     * {@code token_embedding.weight} (V, C; also the tied LM head), {@code position_embedding.weight} (T, C),
     * {@code blocks.<i>.attention_norm.{weight,bias}}, {@code blocks.<i>.attention.qkv.{weight,bias}} (3C, C;
     * rows q, then k, then v, each split into heads of D), {@code blocks.<i>.attention.projection.*},
     * {@code blocks.<i>.mlp_norm.*}, {@code blocks.<i>.mlp.up.*} (4C, C), {@code blocks.<i>.mlp.down.*} and
     * {@code final_norm.*}. Linear weights are (out, in), as in {@code torch.nn.Linear}. The header's
     * metadata carries the model config and the step.
     */
    public void exportSafetensors(Path file) {
        Map<String, Safetensors.Tensor> tensors = new java.util.LinkedHashMap<>();
        gpt.getParameters().forEach(pair -> {
            NDArray array = pair.getValue().getArray();
            tensors.put(tensorName(pair.getKey()), new Safetensors.Tensor(array.getShape().getShape(), array.toFloatArray()));
        });
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        metadata.put("format", "pt");
        config.toMap().forEach((key, value) -> metadata.put(key, value.toString()));
        metadata.put("step", Long.toString(step));
        try {
            Safetensors.write(file, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export " + file, e);
        }
    }

    /**
     * DJL's parameter path ({@code 01block0_02attention_01qkv_weight}: child blocks numbered, joined by _)
     * to a dotted PyTorch-style name ({@code blocks.0.attention.qkv.weight}).
     */
    static String tensorName(String djlName) {
        StringBuilder out = new StringBuilder();
        for (String part : djlName.split("_")) {
            String bare = part.replaceFirst("^\\d+(?=[a-zA-Z])", "");
            String name;
            if (bare.matches("block\\d+")) {
                name = "blocks." + bare.substring("block".length());
            } else if (bare.equals("gamma")) {
                name = "weight";
            } else if (bare.equals("beta")) {
                name = "bias";
            } else {
                // camelCase to snake_case: attentionNorm -> attention_norm
                name = bare.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
            }
            out.append(out.length() == 0 ? "" : ".").append(name);
        }
        String dotted = out.toString();
        return dotted.endsWith("embedding") ? dotted + ".weight" : dotted;
    }

    /** Name of the weights file {@link #save} writes. */
    public static final String WEIGHTS_FILE = WEIGHTS + "-0000.params";

    /**
     * Writes the whole training state into {@code dir}: the parameters ({@code gpt-0000.params}), AdamW's
     * moments ({@code optimizer.ndlist}, keyed by parameter name) and {@code gpt.properties} (model config,
     * step, Adam's update counts, loss-scaler and random-stream state). Not atomic by itself:
     * {@link CheckpointStore} writes into a temporary folder and renames it. Returns the weights file.
     */
    public Path save(Path dir) {
        try {
            Files.createDirectories(dir);
            model.save(dir, WEIGHTS);
            Properties properties = new Properties();
            config.toMap().forEach((key, value) -> properties.setProperty(key, value.toString()));
            properties.setProperty("step", Long.toString(step));
            properties.setProperty("lossScaler", lossScaler.state());
            properties.setProperty("rngState", Long.toString(rngState));
            optimizer.save(dir, properties, idToName);
            try (Writer writer = Files.newBufferedWriter(dir.resolve(CONFIG_FILE))) {
                properties.store(writer, "Spindle GPT training state");
            }
            return dir.resolve(WEIGHTS_FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save model to " + dir, e);
        }
    }

    /**
     * Rebuilds a trainer from {@link #save}: weights, optimizer moments, step, loss scaler and random state,
     * so the next {@link #trainStep} is the one the saved trainer would have taken. A folder without optimizer
     * state (weights only) loads with fresh moments.
     */
    public static GptTrainer load(Path dir, OptimizerConfig optimizerConfig) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(dir.resolve(CONFIG_FILE))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + CONFIG_FILE + " in " + dir, e);
        }
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        long step = Long.parseLong(map.getOrDefault("step", "0"));
        GptTrainer trainer = new GptTrainer(GptConfig.fromMap(map), optimizerConfig, dir, step);
        try {
            if (map.containsKey("lossScaler")) {
                trainer.lossScaler = LossScaler.fromState(map.get("lossScaler"));
            }
            if (map.containsKey("rngState")) {
                trainer.rngState = Long.parseLong(map.get("rngState"));
            }
            trainer.optimizer.load(dir, map, trainer.nameToId, trainer.model.getNDManager());
            return trainer;
        } catch (IOException | RuntimeException e) {
            trainer.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot load " + dir, io) : asRuntime(e);
        }
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }

    /** PyTorch records autograd graphs whenever grad mode is on, and it is on by default per thread. */
    static <T> T withoutGrad(Supplier<T> body) {
        boolean wasOn = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(wasOn);
        }
    }

    private static RuntimeException asRuntime(Exception e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }

    /** Rows of T+1 tokens split into inputs (first T) and targets (last T), checked against the config. */
    private record Batch(long[] inputs, long[] targets, Shape shape) {

        static Batch of(int[] tokens, int rows, int rowLength, GptConfig config) {
            if (rowLength < 2 || rowLength - 1 > config.contextLength()) {
                throw new IllegalArgumentException("rowLength must be in [2, contextLength + 1 = "
                        + (config.contextLength() + 1) + "], was " + rowLength);
            }
            checkedIds(tokens, rows, rowLength, config);
            int t = rowLength - 1;
            long[] inputs = new long[rows * t];
            long[] targets = new long[rows * t];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < t; i++) {
                    inputs[r * t + i] = tokens[r * rowLength + i];
                    targets[r * t + i] = tokens[r * rowLength + i + 1];
                }
            }
            return new Batch(inputs, targets, new Shape(rows, t));
        }

        /** Validates the layout and id range (PyTorch's own error would be an opaque index failure). */
        static long[] checkedIds(int[] tokens, int rows, int length, GptConfig config) {
            if (rows <= 0 || length <= 0 || (long) rows * length != tokens.length) {
                throw new IllegalArgumentException("expected " + rows + " x " + length + " tokens, got "
                        + tokens.length);
            }
            long[] ids = new long[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
                    throw new IllegalArgumentException("token " + tokens[i] + " at index " + i
                            + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
                ids[i] = tokens[i];
            }
            return ids;
        }
    }
}
