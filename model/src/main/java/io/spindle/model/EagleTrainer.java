package io.spindle.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import io.spindle.model.speculative.Drafter;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Trains an {@link EagleDrafter} against a frozen target and hands out KV-cached {@link Drafter}s for
 * speculative decoding. The target ({@link GptTrainer}) belongs to the caller, who may swap in a newer
 * checkpoint of it with {@link #retarget}. Not thread-safe; close it (the target stays open).
 *
 * <p>It also counts the tokens it trains on: drafting proposes only from the most frequent ones (EAGLE-3's
 * draft vocabulary), because at batch 1 the LM head's weights are the largest read of a drafter step
 * (V x C, 8 MB for the demo's GPT) and a rare token is rarely the target's choice anyway. The verification
 * still runs over the whole vocabulary, so this changes the speed, never the output.
 */
public final class EagleTrainer implements AutoCloseable {

    /** Default size of the draft vocabulary; see the class comment. */
    public static final int DEFAULT_DRAFT_VOCABULARY = 2048;

    private static final String ENGINE = "PyTorch";
    private static final String WEIGHTS = "eagle";
    private static final String STATE_FILE = "eagle.properties";
    private static final String COUNTS_FILE = "token-counts.bin";
    private static final String TARGET = "target.";

    private final OptimizerConfig optimizerConfig;
    private final EagleDrafter drafter;
    private final Model model;
    private final Trainer trainer;
    private final GroupedAdamW optimizer;
    private final ParameterStore inferenceStore;
    private final List<Parameter> trainable;
    private final Map<String, String> idToName = new HashMap<>();
    private final Map<String, String> nameToId = new HashMap<>();
    private final long[] tokenCounts;
    private GptTrainer target;
    private long step;

    public EagleTrainer(GptTrainer target, OptimizerConfig optimizerConfig) {
        this(target, optimizerConfig, null, 0);
    }

    private EagleTrainer(GptTrainer target, OptimizerConfig optimizerConfig, Path weightsDir, long step) {
        this.target = target;
        this.optimizerConfig = optimizerConfig;
        this.step = step;
        GptConfig shape = target.config();
        tokenCounts = new long[shape.vocabSize()];
        drafter = new EagleDrafter(shape);
        model = Model.newInstance(WEIGHTS, ENGINE);
        try {
            model.setBlock(drafter);
            if (weightsDir != null) {
                model.load(weightsDir, WEIGHTS);
            }
            Set<String> decayed = drafter.getParameters().values().stream()
                    .filter(p -> p.getType() == Parameter.Type.WEIGHT && !p.getName().equals("positionEmbedding"))
                    .map(Parameter::getId).collect(Collectors.toSet());
            optimizer = new GroupedAdamW(optimizerConfig, decayed);
            trainer = model.newTrainer(new DefaultTrainingConfig(new EagleLoss()).optOptimizer(optimizer));
            Engine.getEngine(ENGINE).setRandomSeed(Long.hashCode(optimizerConfig.seed()));
            int t = shape.contextLength();
            trainer.initialize(new Shape(1, t), new Shape(1, t, shape.dModel()), new Shape(shape.vocabSize(), shape.dModel()));
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : e instanceof RuntimeException r
                    ? r : new IllegalStateException(e);
        }
        inferenceStore = new ParameterStore(model.getNDManager(), false);
        trainable = drafter.getParameters().values().stream().filter(Parameter::requiresGradient).toList();
        drafter.getParameters().forEach(pair -> {
            idToName.put(pair.getValue().getId(), pair.getKey());
            nameToId.put(pair.getKey(), pair.getValue().getId());
        });
    }

    /** Continues with a newer checkpoint of the same target; its features and head are used from now on. */
    public void retarget(GptTrainer newerTarget) {
        if (!newerTarget.config().equals(target.config())) {
            throw new IllegalArgumentException("the drafter was built for target " + target.config()
                    + ", not " + newerTarget.config());
        }
        this.target = newerTarget;
    }

    public GptTrainer target() {
        return target;
    }

    /**
     * One optimizer step on rows of T+1 tokens: the target computes its features over the first T tokens of
     * each row; the drafter learns, at every position but the last, to predict the feature (and so the
     * next-token distribution) one position on. The last token of a row only ever serves as a label of the
     * target, so it is not needed here.
     */
    public GptTrainer.StepResult trainStep(int[] tokens, int rows, int rowLength) {
        return trainStep(tokens, rows, rowLength, () -> true).orElseThrow();
    }

    /**
     * {@link #trainStep(int[], int, int)} that gives the step up, leaving weights, optimizer and step count as
     * they were, when {@code keepGoing} is false after the target's features, after the loss or after the
     * backward pass (the step's long stretches): a spot trainer told to yield then stops within one stretch,
     * not one step. Empty when given up.
     */
    public Optional<GptTrainer.StepResult> trainStep(int[] tokens, int rows, int rowLength, BooleanSupplier keepGoing) {
        int t = rowLength - 1;
        if (t < 2 || t > target.config().contextLength()) {
            throw new IllegalArgumentException("rowLength must be in [3, contextLength + 1 = "
                    + (target.config().contextLength() + 1) + "], was " + rowLength);
        }
        long[] inputs = new long[rows * t];
        long[] all = GptTrainer.checkedIds(tokens, rows, rowLength, target.config());
        for (int r = 0; r < rows; r++) {
            System.arraycopy(all, r * rowLength, inputs, r * t, t);
        }
        float lr = optimizerConfig.learningRate(step);
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray ids = scope.create(inputs, new Shape(rows, t));                       // (B, T)
            NDArray features = target.features(ids);                                      // (B, T, C)
            if (!keepGoing.getAsBoolean()) {
                return Optional.empty();
            }
            NDArray head = target.frozenTokenEmbedding();                                  // (V, C)
            head.attach(scope);
            NDArray nextTokens = ids.get(":, 1:");                                         // (B, T-1)
            NDArray current = features.get(":, :-1");                                      // (B, T-1, C)
            NDArray truth = features.get(":, 1:");                                         // (B, T-1, C)
            NDArray loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray predicted = trainer.forward(new NDList(nextTokens, current, head)).head(); // (B, T-1, C)
                loss = trainer.getLoss().evaluate(new NDList(truth), new NDList(predicted, head));
                if (!keepGoing.getAsBoolean()) {
                    return Optional.empty(); // no backward yet: no gradients to discard
                }
                collector.backward(loss);
            }
            if (!keepGoing.getAsBoolean()) {
                GptTrainer.discardGradients(trainable);
                return Optional.empty();
            }
            float gradNorm = GptTrainer.globalGradNorm(trainable, scope);
            optimizer.prepareStep(lr, optimizerConfig.clipScale(gradNorm));
            trainer.step();
            step++;
            for (int token : tokens) {
                tokenCounts[token]++;
            }
            return Optional.of(new GptTrainer.StepResult(step, loss.getFloat(), gradNorm, lr, 1f, false));
        }
    }

    /** Optimizer steps taken (restored by {@link #load}). */
    public long step() {
        return step;
    }

    /** Hyper-parameters, for checkpoint announcements: the kind, the target's shape and the drafter's. */
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("kind", "eagle");
        config.put("layers", 1);
        target.config().toMap().forEach((key, value) -> config.put(TARGET + key, value));
        return config;
    }

    /**
     * The {@code size} token ids seen most often in training (ties and unseen ids by lower id, which in a
     * BPE vocabulary means earlier merges, i.e. more frequent pairs), ascending.
     */
    public int[] draftVocabulary(int size) {
        int v = tokenCounts.length;
        if (size >= v) {
            return IntStream.range(0, v).toArray();
        }
        return IntStream.range(0, v).boxed()
                .sorted(Comparator.<Integer>comparingLong(id -> tokenCounts[id]).reversed().thenComparing(id -> id))
                .limit(size).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** A KV-cached drafter proposing from the {@link #DEFAULT_DRAFT_VOCABULARY} most frequent tokens. */
    public CachedDrafter drafter() {
        return drafter(DEFAULT_DRAFT_VOCABULARY);
    }

    /** A KV-cached drafter proposing from the {@code draftVocabulary} most frequent tokens; close it. */
    public CachedDrafter drafter(int draftVocabulary) {
        if (draftVocabulary < 1) {
            throw new IllegalArgumentException("draft vocabulary must hold at least one token, was " + draftVocabulary);
        }
        return new CachedDrafter(draftVocabulary(draftVocabulary));
    }

    /** See {@link #drafter(int)}. */
    public final class CachedDrafter implements Drafter, AutoCloseable {
        private final NDManager manager = trainer.getManager().newSubManager();
        private final Gpt.KvCache cache = new Gpt.KvCache(1, manager);
        private final int[] vocabulary;  // draft vocabulary: head row k is token vocabulary[k]
        private final NDArray embedding; // (V, C), frozen
        private final NDArray head;      // (K, C): the LM head's rows of the draft vocabulary
        private NDArray lastPredicted;   // (1, 1, C): the drafter's guess of the feature after the last token
        private int committed;

        private CachedDrafter(int[] vocabulary) {
            this.vocabulary = vocabulary;
            embedding = target.frozenTokenEmbedding();
            embedding.attach(manager);
            head = vocabulary.length == embedding.getShape().get(0)
                    ? embedding
                    : Embedding.embedding(manager.create(Arrays.stream(vocabulary).asLongStream().toArray()),
                            embedding, SparseFormat.DENSE).head(); // a compact copy: one small read per draft
        }

        @Override
        public int vocabSize() {
            return target.config().vocabSize();
        }

        @Override
        public float[] start(int[] prompt, float[][] promptFeatures, int first) {
            cache.clear();
            int[] tokens = Arrays.copyOfRange(prompt, 1, prompt.length + 1);
            tokens[tokens.length - 1] = first;
            committed = tokens.length;
            return run(tokens, promptFeatures);
        }

        @Override
        public float[] draft(int token) {
            return run(new int[] {token}, null);
        }

        @Override
        public float[] commit(int[] tokens, float[][] features) {
            cache.truncate(committed);
            committed += tokens.length;
            return run(tokens, features);
        }

        /** Feeds tokens with the target's features (or, when null, the drafter's own last guess). */
        private float[] run(int[] tokens, float[][] features) {
            return GptTrainer.withoutGrad(() -> {
                try (NDManager scope = manager.newSubManager()) {
                    long[] ids = GptTrainer.checkedIds(tokens, 1, tokens.length, target.config());
                    NDArray input = scope.create(ids, new Shape(1, ids.length));                  // (1, t)
                    NDArray fed = features == null ? lastPredicted : scope.create(flatten(features),
                            new Shape(1, features.length, target.config().dModel()));              // (1, t, C)
                    NDArray predicted = drafter.predictCached(inferenceStore, input, fed, embedding, cache);
                    NDArray last = predicted.get(":, -1:");                                         // (1, 1, C)
                    last.attach(manager);
                    if (lastPredicted != null) {
                        lastPredicted.close();
                    }
                    lastPredicted = last;
                    return expand(Linear.linear(last, head).head().toFloatArray());                 // (K)
                }
            });
        }

        /** Draft-vocabulary logits into vocabulary-wide ones, -inf for tokens it never proposes. */
        private float[] expand(float[] draftLogits) {
            if (draftLogits.length == vocabSize()) {
                return draftLogits;
            }
            float[] logits = new float[vocabSize()];
            Arrays.fill(logits, Float.NEGATIVE_INFINITY);
            for (int k = 0; k < vocabulary.length; k++) {
                logits[vocabulary[k]] = draftLogits[k];
            }
            return logits;
        }

        @Override
        public void close() {
            cache.clear();
            manager.close();
        }
    }

    private static float[] flatten(float[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    /** Name of the weights file {@link #save} writes. */
    public static final String WEIGHTS_FILE = WEIGHTS + "-0000.params";

    /**
     * Writes the drafter's training state into {@code dir}: weights, AdamW moments, token counts and
     * {@code eagle.properties} (step, Adam's update counts, the target's shape). Not atomic by itself; see
     * {@link CheckpointStore}. Returns the weights file.
     */
    public Path save(Path dir) {
        try {
            Files.createDirectories(dir);
            model.save(dir, WEIGHTS);
            try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                    Files.newOutputStream(dir.resolve(COUNTS_FILE))))) {
                out.writeInt(tokenCounts.length);
                for (long count : tokenCounts) {
                    out.writeLong(count);
                }
            }
            Properties properties = new Properties();
            properties.setProperty("step", Long.toString(step));
            target.config().toMap().forEach((key, value) -> properties.setProperty(TARGET + key, value.toString()));
            optimizer.save(dir, properties, idToName);
            try (Writer writer = Files.newBufferedWriter(dir.resolve(STATE_FILE))) {
                properties.store(writer, "Spindle EAGLE drafter training state");
            }
            return dir.resolve(WEIGHTS_FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the drafter to " + dir, e);
        }
    }

    /** Rebuilds a trainer from {@link #save}, for this target (which must have the shape it was trained for). */
    public static EagleTrainer load(Path dir, GptTrainer target, OptimizerConfig optimizerConfig) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(dir.resolve(STATE_FILE))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATE_FILE + " in " + dir, e);
        }
        Map<String, String> saved = new HashMap<>();
        Map<String, String> targetShape = new HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            saved.put(key, properties.getProperty(key));
            if (key.startsWith(TARGET)) {
                targetShape.put(key.substring(TARGET.length()), properties.getProperty(key));
            }
        }
        GptConfig trainedFor = GptConfig.fromMap(targetShape);
        if (!trainedFor.equals(target.config())) {
            throw new IllegalArgumentException("the drafter in " + dir + " was trained for target " + trainedFor
                    + ", not " + target.config());
        }
        EagleTrainer eagle = new EagleTrainer(target, optimizerConfig, dir,
                Long.parseLong(properties.getProperty("step", "0")));
        try {
            eagle.optimizer.load(dir, saved, eagle.nameToId, eagle.model.getNDManager());
            Path counts = dir.resolve(COUNTS_FILE);
            if (Files.exists(counts)) {
                try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(counts)))) {
                    int n = in.readInt();
                    for (int i = 0; i < Math.min(n, eagle.tokenCounts.length); i++) {
                        eagle.tokenCounts[i] = in.readLong();
                    }
                }
            }
            return eagle;
        } catch (IOException | RuntimeException e) {
            eagle.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot load " + dir, io) : (RuntimeException) e;
        }
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
