package io.spindle.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-2 style decoder: token + learned position embeddings, {@code nLayers} pre-norm blocks
 * (LayerNorm -> causal self-attention -> residual; LayerNorm -> MLP -> residual), a final LayerNorm, and
 * an LM head tied to the token embedding.
 *
 * <p>Input: (B, T) int64 token ids, T <= contextLength. Output: (B, T, V) logits.
 *
 * <p>Shapes in comments: B batch, T sequence, C dModel, H heads, D head width, V vocabulary.
 */
public final class Gpt extends AbstractBlock {

    private static final byte VERSION = 1;
    /** GPT-2's init scale. */
    static final float INIT_STD = 0.02f;

    private final GptConfig config;
    private final Parameter tokenEmbedding;    // (V, C); doubles as the LM head
    private final Parameter positionEmbedding; // (T, C)
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;

    public Gpt(GptConfig config) {
        super(VERSION);
        this.config = config;
        tokenEmbedding = addParameter(embeddingTable("tokenEmbedding", config.vocabSize(), config.dModel()));
        positionEmbedding = addParameter(embeddingTable("positionEmbedding", config.contextLength(), config.dModel()));
        for (int i = 0; i < config.nLayers(); i++) {
            blocks.add(addChildBlock("block" + i, new TransformerBlock(config)));
        }
        finalNorm = addChildBlock("finalNorm", layerNorm());
    }

    public GptConfig config() {
        return config;
    }

    /** The (V, C) token table, which is also the LM head. */
    Parameter tokenEmbedding() {
        return tokenEmbedding;
    }

    /**
     * Whether AdamW should decay this parameter. Only matmul weights decay: decaying LayerNorm gains
     * pulls them towards zero rather than towards their neutral value 1, biases are too few to overfit,
     * and an embedding row decays every step but only gets gradient when its token appears.
     */
    public boolean isDecayed(Parameter parameter) {
        return parameter.getType() == Parameter.Type.WEIGHT
                && parameter != tokenEmbedding
                && parameter != positionEmbedding;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.singletonOrThrow();                     // (B, T)
        return new NDList(logits(store, hidden(store, tokens, training), training)); // (B, T, V)
    }

    /**
     * Hidden states after the final LayerNorm, (B, T, C). Public because the EAGLE drafter reads them;
     * a KV cache will add a variant that takes the positions of {@code tokens} and cached keys/values.
     */
    public NDArray hidden(ParameterStore store, NDArray tokens, boolean training) {
        long t = tokens.getShape().get(1);
        if (t > config.contextLength()) {
            throw new IllegalArgumentException(
                    "sequence length " + t + " exceeds contextLength " + config.contextLength());
        }
        Device device = tokens.getDevice();
        // Derived arrays must belong to the caller's (per-step) manager, not the parameters' one:
        // everything below is computed from tokens or positions, both of which live there.
        NDArray positions = tokens.getManager().arange(0, (int) t, 1, DataType.INT64); // (T)
        NDArray wte = store.getValue(tokenEmbedding, device, training);
        NDArray wpe = store.getValue(positionEmbedding, device, training);
        NDArray x = Embedding.embedding(tokens, wte, SparseFormat.DENSE).head()        // (B, T, C)
                .add(Embedding.embedding(positions, wpe, SparseFormat.DENSE).head());  // + (T, C)
        NDArray mask = causalMask(positions, positions);                                // (T, T)
        for (TransformerBlock block : blocks) {
            x = block.forward(store, new NDList(x, mask), training).head();             // (B, T, C)
        }
        return finalNorm.forward(store, new NDList(x), training).head();
    }

    /**
     * Keys and values of every layer for the positions fed so far, for incremental decoding: each new token
     * attends to the cached keys/values instead of recomputing the whole prefix. Arrays live in the cache's
     * manager (one per generation); close that manager to free them.
     */
    public static final class KvCache {
        private final NDManager manager;
        private final NDArray[] keys;   // per layer (B, H, length, D)
        private final NDArray[] values; // per layer (B, H, length, D)
        private int length;

        public KvCache(int layers, NDManager manager) {
            this.manager = manager;
            this.keys = new NDArray[layers];
            this.values = new NDArray[layers];
        }

        /** Positions cached so far; the next token fed sits at this position. */
        public int length() {
            return length;
        }

        /** Forgets everything (the context window slid: every position moves, so every key changes). */
        public void clear() {
            for (int i = 0; i < keys.length; i++) {
                closeIfSet(keys[i]);
                closeIfSet(values[i]);
                keys[i] = null;
                values[i] = null;
            }
            length = 0;
        }

        /** Keeps the first {@code newLength} positions and forgets the rest (rejected speculative drafts). */
        public void truncate(int newLength) {
            if (newLength < 0 || newLength > length) {
                throw new IllegalArgumentException("cannot truncate a cache of " + length + " to " + newLength);
            }
            if (newLength == 0) {
                clear();
                return;
            }
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != null) {
                    NDArray k = keys[i].get(":, :, :" + newLength + ", :");
                    NDArray v = values[i].get(":, :, :" + newLength + ", :");
                    k.attach(manager);
                    v.attach(manager);
                    keys[i].close();
                    values[i].close();
                    keys[i] = k;
                    values[i] = v;
                }
            }
            length = newLength;
        }

        /** Counts {@code t} positions fed through every layer. */
        void advance(int t) {
            length += t;
        }

        /** This layer's keys/values extended by the new ones; kept for the next token. */
        NDArray[] extend(int layer, NDArray newKeys, NDArray newValues) {
            NDArray k = keys[layer] == null ? newKeys : keys[layer].concat(newKeys, 2);
            NDArray v = values[layer] == null ? newValues : values[layer].concat(newValues, 2);
            k.attach(manager);
            v.attach(manager);
            if (keys[layer] != null) {
                keys[layer].close();
                values[layer].close();
            }
            keys[layer] = k;
            values[layer] = v;
            return new NDArray[] {k, v};
        }

        private static void closeIfSet(NDArray array) {
            if (array != null) {
                array.close();
            }
        }
    }

    /**
     * {@link #hidden} for {@code tokens} (B, t) that continue the positions already in {@code cache}: the
     * same maths, with each layer's keys/values of earlier positions read from the cache. Feeding a prompt
     * at once and then one token at a time gives the hidden states of feeding the whole sequence.
     */
    public NDArray hiddenCached(ParameterStore store, NDArray tokens, KvCache cache) {
        long t = tokens.getShape().get(1);
        int start = cache.length();
        if (start + t > config.contextLength()) {
            throw new IllegalArgumentException("cache of " + start + " plus " + t + " tokens exceeds contextLength "
                    + config.contextLength() + "; clear the cache and feed the window again");
        }
        Device device = tokens.getDevice();
        NDManager scope = tokens.getManager();
        NDArray queryPositions = scope.arange(start, start + (int) t, 1, DataType.INT64);  // (t)
        NDArray keyPositions = scope.arange(0, start + (int) t, 1, DataType.INT64);        // (start + t)
        NDArray wte = store.getValue(tokenEmbedding, device, false);
        NDArray wpe = store.getValue(positionEmbedding, device, false);
        NDArray x = Embedding.embedding(tokens, wte, SparseFormat.DENSE).head()           // (B, t, C)
                .add(Embedding.embedding(queryPositions, wpe, SparseFormat.DENSE).head());
        NDArray mask = causalMask(queryPositions, keyPositions);                           // (t, start + t)
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forwardCached(store, x, mask, cache, i);                      // (B, t, C)
        }
        cache.advance((int) t);
        return finalNorm.forward(store, new NDList(x), false).head();
    }

    /** LM head: (..., C) -> (..., V), by the token embedding transposed (weight tying). */
    public NDArray logits(ParameterStore store, NDArray hidden, boolean training) {
        NDArray wte = store.getValue(tokenEmbedding, hidden.getDevice(), training);
        return Linear.linear(hidden, wte).head();
    }

    /**
     * Additive attention mask (Tq, Tk): 0 where a query may see a key (key position <= query position),
     * -inf where the key lies in its future. DJL's attention has no causal flag, so we build it; taking
     * log of the 0/1 "allowed" matrix gives exactly 0 and -inf, and softmax turns -inf into weight 0.
     */
    static NDArray causalMask(NDArray queryPositions, NDArray keyPositions) {
        NDArray allowed = keyPositions.expandDims(0).lte(queryPositions.expandDims(1)); // (Tq, Tk)
        return allowed.toType(DataType.FLOAT32, false).log();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = inputShapes[0];                                           // (B, T)
        Shape x = new Shape(tokens.get(0), tokens.get(1), config.dModel());     // (B, T, C)
        Shape mask = new Shape(tokens.get(1), tokens.get(1));                    // (T, T)
        for (TransformerBlock block : blocks) {
            block.initialize(manager, dataType, x, mask);
        }
        finalNorm.initialize(manager, dataType, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        return new Shape[] {new Shape(tokens.get(0), tokens.get(1), config.vocabSize())};
    }

    static Parameter embeddingTable(String name, int rows, int width) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(rows, width))
                .optInitializer(new NormalInitializer(INIT_STD))
                .build();
    }

    /** LayerNorm over the channel axis of (B, T, C). */
    private static LayerNorm layerNorm() {
        return LayerNorm.builder().axis(2).build();
    }

    static Linear linear(long units, float initStd) {
        Linear linear = Linear.builder().setUnits(units).build();
        linear.setInitializer(new NormalInitializer(initStd), Parameter.Type.WEIGHT);
        return linear;
    }

    /**
     * Init std of the projections that write into the residual stream: GPT-2 scales them by
     * 1/sqrt(2L) so the stream's variance does not grow with depth (two residual adds per block).
     */
    private static float residualInitStd(GptConfig config) {
        return (float) (INIT_STD / Math.sqrt(2.0 * config.nLayers()));
    }

    /** Pre-norm block. Inputs: x (B, T, C) and the additive mask (T, T). Output: x (B, T, C). */
    static final class TransformerBlock extends AbstractBlock {

        private final LayerNorm attentionNorm;
        private final CausalSelfAttention attention;
        private final LayerNorm mlpNorm;
        private final Mlp mlp;

        TransformerBlock(GptConfig config) {
            super(VERSION);
            attentionNorm = addChildBlock("attentionNorm", layerNorm());
            attention = addChildBlock("attention", new CausalSelfAttention(config));
            mlpNorm = addChildBlock("mlpNorm", layerNorm());
            mlp = addChildBlock("mlp", new Mlp(config));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.get(0);                                                   // (B, T, C)
            NDArray mask = inputs.get(1);                                                // (T, T)
            NDArray normed = attentionNorm.forward(store, new NDList(x), training).head();
            x = x.add(attention.forward(store, new NDList(normed, mask), training).head());
            normed = mlpNorm.forward(store, new NDList(x), training).head();
            x = x.add(mlp.forward(store, new NDList(normed), training).head());
            return new NDList(x);
        }

        /** {@link #forwardInternal} for new positions only, attending to the cache as well. */
        NDArray forwardCached(ParameterStore store, NDArray x, NDArray mask, KvCache cache, int layer) {
            NDArray normed = attentionNorm.forward(store, new NDList(x), false).head();
            x = x.add(attention.forwardCached(store, normed, mask, cache, layer));
            normed = mlpNorm.forward(store, new NDList(x), false).head();
            return x.add(mlp.forward(store, new NDList(normed), false).head());
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape x = inputShapes[0];
            attentionNorm.initialize(manager, dataType, x);
            attention.initialize(manager, dataType, x, inputShapes[1]);
            mlpNorm.initialize(manager, dataType, x);
            mlp.initialize(manager, dataType, x);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }
    }

    /** Multi-head self-attention with the causal mask applied by us. (B, T, C), (T, T) -> (B, T, C). */
    static final class CausalSelfAttention extends AbstractBlock {

        private final int nHeads;
        private final int headDim;
        private final float scale;
        private final Linear qkv;        // C -> 3C: one matmul for all of q, k and v
        private final Linear projection; // C -> C

        CausalSelfAttention(GptConfig config) {
            super(VERSION);
            nHeads = config.nHeads();
            headDim = config.headDim();
            scale = (float) (1.0 / Math.sqrt(headDim));
            qkv = addChildBlock("qkv", linear(3L * config.dModel(), INIT_STD));
            projection = addChildBlock("projection", linear(config.dModel(), residualInitStd(config)));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.get(0);                                                 // (B, T, C)
            NDArray mask = inputs.get(1);                                              // (T, T)
            NDList qkvHeads = heads(store, x, training);                               // 3 x (B, H, T, D)
            return new NDList(attend(store, qkvHeads.get(0), qkvHeads.get(1), qkvHeads.get(2), mask, training));
        }

        /** New positions' q, k, v; k and v are appended to the layer's cache and attended to in full. */
        NDArray forwardCached(ParameterStore store, NDArray x, NDArray mask, KvCache cache, int layer) {
            NDList qkvHeads = heads(store, x, false);                                  // 3 x (B, H, t, D)
            NDArray[] kv = cache.extend(layer, qkvHeads.get(1), qkvHeads.get(2));      // 2 x (B, H, start+t, D)
            return attend(store, qkvHeads.get(0), kv[0], kv[1], mask, false);
        }

        /** x (B, T, C) -> q, k, v, each (B, H, T, D); q already scaled by 1/sqrt(D). */
        private NDList heads(ParameterStore store, NDArray x, boolean training) {
            long b = x.getShape().get(0);
            long t = x.getShape().get(1);
            NDList qkvHeads = qkv.forward(store, new NDList(x), training).head()       // (B, T, 3C)
                    .reshape(b, t, 3L * nHeads, headDim)                               // (B, T, 3H, D)
                    .transpose(0, 2, 1, 3)                                             // (B, 3H, T, D)
                    .split(3, 1);                                                      // 3 x (B, H, T, D)
            // Scaling q (T x D per head) is cheaper than scaling the T x T scores.
            return new NDList(qkvHeads.get(0).mul(scale), qkvHeads.get(1), qkvHeads.get(2));
        }

        /** Queries (B, H, Tq, D) over keys/values (B, H, Tk, D) with the (Tq, Tk) mask -> (B, Tq, C). */
        private NDArray attend(ParameterStore store, NDArray q, NDArray k, NDArray v, NDArray mask, boolean training) {
            long b = q.getShape().get(0);
            long t = q.getShape().get(2);
            NDArray weights = q.matMul(k.transpose(0, 1, 3, 2))                        // (B, H, Tq, Tk)
                    .add(mask)
                    .softmax(-1);
            NDArray y = weights.matMul(v)                                              // (B, H, Tq, D)
                    .transpose(0, 2, 1, 3)                                             // (B, Tq, H, D)
                    .reshape(b, t, (long) nHeads * headDim);                           // (B, Tq, C)
            return projection.forward(store, new NDList(y), training).head();
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape x = inputShapes[0];
            qkv.initialize(manager, dataType, x);
            projection.initialize(manager, dataType, x);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }
    }

    /** Position-wise feed-forward: C -> mlpRatio*C -> GELU -> C. */
    static final class Mlp extends AbstractBlock {

        private final Linear up;
        private final Linear down;

        Mlp(GptConfig config) {
            super(VERSION);
            up = addChildBlock("up", linear(config.mlpHidden(), INIT_STD));
            down = addChildBlock("down", linear(config.dModel(), residualInitStd(config)));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray hidden = up.forward(store, inputs, training).head();               // (B, T, mlpRatio*C)
            return down.forward(store, new NDList(Activation.gelu(hidden)), training); // (B, T, C)
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape x = inputShapes[0];
            up.initialize(manager, dataType, x);
            down.initialize(manager, dataType, up.getOutputShapes(new Shape[] {x})[0]);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }
    }
}
