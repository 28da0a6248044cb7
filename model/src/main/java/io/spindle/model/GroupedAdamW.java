package io.spindle.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AdamW with two weight-decay groups. DJL's {@code AdamW} applies one decay to every parameter; we need
 * none on norms, biases and embeddings. The update itself is DJL's fused native one (one call per
 * parameter): decoupled decay {@code w -= lr·wd·w}, then {@code w -= lr·sqrt(1-β2^t)/(1-β1^t) · m/(sqrt(v)+ε)}.
 * That puts ε inside the bias correction, unlike PyTorch; the difference is ε-sized.
 *
 * <p>The trainer sets the learning rate and the gradient scale (global-norm clipping and loss-scale
 * removal) before each step. Its state (both moments and the per-parameter update count t) can be saved
 * and restored, so a resumed run continues with the very same update; DJL's own update counter is private,
 * so this class keeps its own.
 */
final class GroupedAdamW extends Optimizer {

    /** Where {@link #save} puts both moments of every parameter. */
    static final String MOMENTS_FILE = "optimizer.ndlist";
    private static final String UPDATE_COUNT = "adam.t.";
    private static final String MEAN = "mean/";
    private static final String VARIANCE = "variance/";

    private final OptimizerConfig config;
    private final Set<String> decayedIds;
    private final Map<String, Map<Device, NDArray>> means = new ConcurrentHashMap<>();
    private final Map<String, Map<Device, NDArray>> variances = new ConcurrentHashMap<>();
    private final Map<String, Integer> updates = new ConcurrentHashMap<>();
    private float learningRate;
    private float gradScale = 1f;

    /** @param decayedIds {@link ai.djl.nn.Parameter#getId() ids} of the parameters that decay */
    GroupedAdamW(OptimizerConfig config, Set<String> decayedIds) {
        super(new Builder());
        this.config = config;
        this.decayedIds = Set.copyOf(decayedIds);
    }

    /** Settings for the coming {@code update} calls, i.e. one optimizer step. */
    void prepareStep(float learningRate, float gradScale) {
        this.learningRate = learningRate;
        this.gradScale = gradScale;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int t = updates.merge(parameterId, 1, Integer::sum);
        double firstBias = 1 - Math.pow(config.beta1(), t);
        double secondBias = 1 - Math.pow(config.beta2(), t);
        float correctedRate = (float) (learningRate * Math.sqrt(secondBias) / firstBias);
        float decay = decayedIds.contains(parameterId) ? config.weightDecay() : 0f;
        NDArray mean = withDefaultState(means, parameterId, weight.getDevice(), k -> weight.zerosLike());
        NDArray variance = withDefaultState(variances, parameterId, weight.getDevice(), k -> weight.zerosLike());
        // rescaleGrad carries the clipping factor; clipGrad < 0 turns off DJL's element-wise clamp.
        weight.getNDArrayInternal().adamUpdate(
                new NDList(weight, grad, mean, variance), new NDList(weight),
                learningRate, correctedRate, decay, gradScale, -1f,
                config.beta1(), config.beta2(), config.epsilon(), false, true);
    }

    /**
     * Saves the state into a checkpoint folder: both moments into {@link #MOMENTS_FILE}, each parameter's
     * update count into {@code properties} (the caller writes them with its own); before any update, nothing. Everything is keyed by the
     * parameter's stable name: ids are random per model instance.
     */
    void save(Path dir, Properties properties, Map<String, String> idToName) throws IOException {
        if (means.isEmpty()) {
            return; // no update yet: nothing to save, and load() reads a missing file as a fresh state
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(MOMENTS_FILE)))) {
            saveMoments(out, idToName);
        }
        updateCounts(idToName).forEach((name, t) -> properties.setProperty(UPDATE_COUNT + name, t.toString()));
    }

    /**
     * Restores what {@link #save} wrote, given the folder and its saved properties; arrays go to
     * {@code manager}. A folder without moments (weights only) leaves the state fresh.
     */
    void load(Path dir, Map<String, String> properties, Map<String, String> nameToId, NDManager manager)
            throws IOException {
        Path moments = dir.resolve(MOMENTS_FILE);
        if (!Files.exists(moments)) {
            return;
        }
        Map<String, Integer> counts = new HashMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(UPDATE_COUNT)) {
                counts.put(key.substring(UPDATE_COUNT.length()), Integer.parseInt(value));
            }
        });
        try (InputStream in = new BufferedInputStream(Files.newInputStream(moments))) {
            restore(in, counts, nameToId, manager);
        }
    }

    /** Update count t per parameter, keyed by its stable name. */
    private Map<String, Integer> updateCounts(Map<String, String> idToName) {
        Map<String, Integer> counts = new TreeMap<>();
        updates.forEach((id, t) -> counts.put(idToName.get(id), t));
        return counts;
    }

    /** Writes both moments of every parameter, named {@code mean/<name>} and {@code variance/<name>}. */
    private void saveMoments(OutputStream out, Map<String, String> idToName) throws IOException {
        NDList list = new NDList();
        for (String id : new TreeMap<>(means).keySet()) {
            list.add(named(means, id, MEAN + idToName.get(id)));
            list.add(named(variances, id, VARIANCE + idToName.get(id)));
        }
        list.encode(out);
    }

    /** Restores what {@link #saveMoments} and {@link #updateCounts} wrote; arrays go to {@code manager}. */
    private void restore(InputStream in, Map<String, Integer> countsByName, Map<String, String> nameToId, NDManager manager)
            throws IOException {
        means.clear();
        variances.clear();
        updates.clear();
        countsByName.forEach((name, t) -> updates.put(known(nameToId, name), t));
        for (NDArray array : NDList.decode(manager, in)) {
            String name = array.getName();
            Map<String, Map<Device, NDArray>> target = name.startsWith(MEAN) ? means : variances;
            String id = known(nameToId, name.substring(name.indexOf('/') + 1));
            Map<Device, NDArray> byDevice = new ConcurrentHashMap<>();
            byDevice.put(array.getDevice(), array);
            target.put(id, byDevice);
        }
    }

    /** Forgets the moments and counts: the next update starts Adam afresh. */
    void clearState() {
        means.clear();
        variances.clear();
        updates.clear();
    }

    private static String known(Map<String, String> nameToId, String name) {
        String id = nameToId.get(name);
        if (id == null) {
            throw new IllegalArgumentException("optimizer state names parameter " + name + ", which this model lacks");
        }
        return id;
    }

    private static NDArray named(Map<String, Map<Device, NDArray>> state, String id, String name) {
        NDArray array = state.get(id).values().iterator().next();
        array.setName(name);
        return array;
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
