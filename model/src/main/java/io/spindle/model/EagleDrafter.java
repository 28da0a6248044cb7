package io.spindle.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The EAGLE drafter (Li et al. 2024), as TLT trains it: one decoder layer that predicts the target's next
 * feature (its final-LayerNorm hidden state) from the current feature and the next token.
 *
 * <p>At position i it reads [embedding of token i+1 ; target feature at i], fuses them with {@code fc}
 * (2C -> C), adds its own position embedding, runs one pre-norm {@link Gpt.TransformerBlock} and outputs its
 * guess of the feature at i+1. The target's LM head turns that guess into the distribution of token i+2.
 * The token embedding and LM head are the target's (tied, frozen): they come in as an input, never as a
 * parameter, so they are neither trained nor saved here.
 *
 * <p>Inputs: tokens (B, T) int64, features (B, T, C), the target's embedding (V, C). Output: (B, T, C).
 */
public final class EagleDrafter extends AbstractBlock {

    private static final byte VERSION = 1;

    private final GptConfig target;
    private final Linear fc;                      // 2C -> C over [embedding ; feature]
    private final Parameter positionEmbedding;    // (T, C)
    private final Gpt.TransformerBlock layer;

    /** @param target the target's shape: the drafter works in its feature space and context */
    public EagleDrafter(GptConfig target) {
        super(VERSION);
        this.target = target;
        fc = addChildBlock("fc", Gpt.linear(target.dModel(), Gpt.INIT_STD));
        positionEmbedding = addParameter(Gpt.embeddingTable("positionEmbedding", target.contextLength(), target.dModel()));
        // One layer: its residual projections get the init scale of a 1-layer GPT.
        layer = addChildBlock("layer", new Gpt.TransformerBlock(oneLayer(target)));
    }

    /** The drafter's own shape: the target's width, heads and MLP, one layer. */
    static GptConfig oneLayer(GptConfig target) {
        return new GptConfig(target.vocabSize(), target.contextLength(), target.dModel(), target.nHeads(), 1,
                target.mlpRatio());
    }

    public GptConfig target() {
        return target;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);                                                  // (B, T)
        NDArray features = inputs.get(1);                                                // (B, T, C)
        NDArray wte = inputs.get(2);                                                     // (V, C)
        long t = tokens.getShape().get(1);
        NDArray positions = tokens.getManager().arange(0, (int) t, 1, DataType.INT64);   // (T)
        NDArray x = fused(store, tokens, features, wte, positions, training);            // (B, T, C)
        NDArray mask = Gpt.causalMask(positions, positions);                             // (T, T)
        return layer.forward(store, new NDList(x, mask), training);                      // (B, T, C)
    }

    /**
     * {@link #forwardInternal} for positions that continue those in {@code cache} (a one-layer cache):
     * predicted features (B, t, C) for tokens (B, t) and features (B, t, C).
     */
    public NDArray predictCached(ParameterStore store, NDArray tokens, NDArray features, NDArray wte, Gpt.KvCache cache) {
        long t = tokens.getShape().get(1);
        int start = cache.length();
        if (start + t > target.contextLength()) {
            throw new IllegalArgumentException("drafter cache of " + start + " plus " + t
                    + " positions exceeds contextLength " + target.contextLength());
        }
        NDManager scope = tokens.getManager();
        NDArray queryPositions = scope.arange(start, start + (int) t, 1, DataType.INT64);   // (t)
        NDArray keyPositions = scope.arange(0, start + (int) t, 1, DataType.INT64);         // (start + t)
        NDArray x = fused(store, tokens, features, wte, queryPositions, false);             // (B, t, C)
        NDArray y = layer.forwardCached(store, x, Gpt.causalMask(queryPositions, keyPositions), cache, 0);
        cache.advance((int) t);
        return y;
    }

    /** fc([embedding(tokens) ; features]) + position embedding: (B, T, C). */
    private NDArray fused(ParameterStore store, NDArray tokens, NDArray features, NDArray wte, NDArray positions,
                          boolean training) {
        NDArray embedded = Embedding.embedding(tokens, wte, SparseFormat.DENSE).head();        // (B, T, C)
        NDArray x = fc.forward(store, new NDList(embedded.concat(features, -1)), training).head(); // (B, T, 2C) -> (B, T, C)
        NDArray wpe = store.getValue(positionEmbedding, tokens.getDevice(), training);
        return x.add(Embedding.embedding(positions, wpe, SparseFormat.DENSE).head());          // + (T, C)
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = inputShapes[0];                                                     // (B, T)
        long c = target.dModel();
        fc.initialize(manager, dataType, new Shape(tokens.get(0), tokens.get(1), 2 * c));
        layer.initialize(manager, dataType, new Shape(tokens.get(0), tokens.get(1), c), new Shape(tokens.get(1), tokens.get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        return new Shape[] {new Shape(tokens.get(0), tokens.get(1), target.dModel())};
    }
}
