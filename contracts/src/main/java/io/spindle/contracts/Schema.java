package io.spindle.contracts;

/** The version every JSON event carries in its {@code schema} field. Bump on an incompatible change. */
public final class Schema {
    public static final int V1 = 1;

    private Schema() {
    }
}
