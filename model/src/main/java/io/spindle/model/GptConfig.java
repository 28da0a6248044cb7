package io.spindle.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a {@link Gpt}. Everything needed to rebuild the model before loading its weights.
 *
 * @param vocabSize     V: token ids lie in [0, V); also the width of the logits
 * @param contextLength T: longest sequence the model attends over (rows of the position table)
 * @param dModel        C: width of the residual stream
 * @param nHeads        H: attention heads; each sees dModel / nHeads channels
 * @param nLayers       L: transformer blocks
 * @param mlpRatio      hidden width of each MLP as a multiple of dModel (4 in GPT-2)
 */
public record GptConfig(int vocabSize, int contextLength, int dModel, int nHeads, int nLayers, int mlpRatio) {

    public GptConfig {
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        positive("dModel", dModel);
        positive("nHeads", nHeads);
        positive("nLayers", nLayers);
        positive("mlpRatio", mlpRatio);
        if (dModel % nHeads != 0) {
            throw new IllegalArgumentException(
                    "dModel (" + dModel + ") must be divisible by nHeads (" + nHeads + ")");
        }
    }

    /** GPT-2's 4x MLP. */
    public GptConfig(int vocabSize, int contextLength, int dModel, int nHeads, int nLayers) {
        this(vocabSize, contextLength, dModel, nHeads, nLayers, 4);
    }

    public int headDim() {
        return dModel / nHeads;
    }

    public int mlpHidden() {
        return mlpRatio * dModel;
    }

    /** Exactly the number of scalars in {@link Gpt}; the LM head is tied, so it adds nothing. */
    public long parameterCount() {
        long c = dModel;
        long h = mlpHidden();
        long layerNorm = 2 * c;
        long attention = (c * 3 * c + 3 * c) + (c * c + c);
        long mlp = (c * h + h) + (h * c + c);
        long perLayer = layerNorm + attention + layerNorm + mlp;
        return (long) vocabSize * c + (long) contextLength * c + nLayers * perLayer + layerNorm;
    }

    /** Training FLOPs per token for sequences of {@link #contextLength()}; see {@link #flopsPerToken(int)}. */
    public double flopsPerToken() {
        return flopsPerToken(contextLength);
    }

    /**
     * Training FLOPs (forward + backward) per token, PaLM appendix B: {@code 6N + 12·L·T·C}.
     *
     * <p>N is every parameter ({@link #parameterCount()}), as in PaLM. The tied embedding belongs in N
     * because the LM head is a real V x C matmul per token; the position table and LayerNorms are also
     * counted though they cost no matmul, a ~0.3% overcount at the sizes we train, kept for comparability
     * with published MFU figures. The second term is attention's QK^T and AV at full sequence length
     * (no discount for the causal mask), again as PaLM counts it.
     *
     * @param sequenceLength T, the length of the rows being trained
     */
    public double flopsPerToken(int sequenceLength) {
        return 6.0 * parameterCount() + 12.0 * nLayers * sequenceLength * dModel;
    }

    /** Field name to value, in declaration order; what a checkpoint announcement carries. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("vocabSize", vocabSize);
        map.put("contextLength", contextLength);
        map.put("dModel", dModel);
        map.put("nHeads", nHeads);
        map.put("nLayers", nLayers);
        map.put("mlpRatio", mlpRatio);
        return map;
    }

    /** Inverse of {@link #toMap()}; values may be numbers (JSON) or strings (properties). */
    public static GptConfig fromMap(Map<String, ?> map) {
        return new GptConfig(
                intField(map, "vocabSize"),
                intField(map, "contextLength"),
                intField(map, "dModel"),
                intField(map, "nHeads"),
                intField(map, "nLayers"),
                intField(map, "mlpRatio"));
    }

    private static int intField(Map<String, ?> map, String name) {
        Object value = map.get(name);
        if (value == null) {
            throw new IllegalArgumentException("model config lacks " + name);
        }
        return value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
