package io.spindle.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Mean next-token cross-entropy over every position of every row.
 *
 * <p>Labels: (B, T) int64 target ids. Predictions: (B, T, V) logits. DJL's SoftmaxCrossEntropyLoss
 * would do, but it is written for (batch, classes); this is the three-op version for sequences.
 */
final class TokenCrossEntropy extends Loss {

    TokenCrossEntropy() {
        super("TokenCrossEntropy");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.singletonOrThrow();                  // (B, T, V)
        NDArray targets = labels.singletonOrThrow().expandDims(-1);       // (B, T, 1)
        return logits.logSoftmax(-1).gather(targets, -1).mean().neg();    // ()
    }
}
