package io.spindle.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The EAGLE drafter's loss, with TLT's weights: 0.5 x SmoothL1 between predicted and true target features,
 * plus 0.5 x cross-entropy of the drafter's next-token distribution against the target's (soft labels:
 * the target's softmax, through the same frozen LM head).
 *
 * <p>Labels: the target's features (B, T, C). Predictions: the drafter's features (B, T, C) and the
 * frozen LM head (V, C).
 */
final class EagleLoss extends Loss {

    static final float FEATURE_WEIGHT = 0.5f;
    static final float TOKEN_WEIGHT = 0.5f;

    EagleLoss() {
        super("EagleLoss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray truth = labels.singletonOrThrow();                                      // (B, T, C)
        NDArray predicted = predictions.get(0);                                         // (B, T, C)
        NDArray head = predictions.get(1);                                              // (V, C)
        NDArray featureLoss = smoothL1(predicted.sub(truth)).mean();
        NDArray targetProbabilities = truth.matMul(head.transpose()).softmax(-1);       // (B, T, V)
        NDArray drafterLogProbabilities = predicted.matMul(head.transpose()).logSoftmax(-1);
        NDArray tokenLoss = targetProbabilities.mul(drafterLogProbabilities).sum(new int[] {-1}).mean().neg();
        return featureLoss.mul(FEATURE_WEIGHT).add(tokenLoss.mul(TOKEN_WEIGHT));
    }

    /** PyTorch's SmoothL1 with beta 1: quadratic below 1, linear above, so outliers do not dominate. */
    static NDArray smoothL1(NDArray difference) {
        NDArray size = difference.abs();
        return NDArrays.where(size.lt(1f), size.square().mul(0.5f), size.sub(0.5f));
    }
}
