package io.spindle.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that autograd can differentiate safely. Use it instead of DJL's
 * {@code mul(Number)} (and its siblings) on anything that requires a gradient.
 *
 * <p>Why: DJL turns the number into a tensor over a Java direct buffer (no copy), runs the op and closes that
 * tensor at once, but PyTorch's autograd keeps it to compute the gradient ({@code d(x·c)/dx = c}). After the
 * close only the garbage collector decides when the buffer's memory is freed and reused, so backward reads
 * whatever is there by then: a wrong gradient in a busy process, now and then (issue 5's resume "drift";
 * {@code GradientLifetimeTest}). A tensor PyTorch allocates itself is reference-counted by autograd instead.
 */
final class Constants {

    private Constants() {
    }

    /** {@code x * factor}, the same float maths as {@code x.mul(factor)}. */
    static NDArray times(NDArray x, float factor) {
        NDArray constant = x.getManager().full(new Shape(), factor, x.getDataType()); // PyTorch-owned, 0-d
        return x.mul(constant);
    }
}
