package io.spindle.trainer;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.quarkus.logging.Log;

/**
 * Makes PyTorch's CPU maths give the same bits in every process. DJL's libtorch links Intel oneMKL, whose
 * matrix kernels pick code paths by the memory alignment of their operands; alignment differs from process to
 * process, so two runs of the same steps drift apart in the last bits, and training amplifies that (we saw
 * 1e-3 relative loss differences 30 steps after a resume). oneMKL's conditional numerical reproducibility
 * mode ({@code MKL_CBWR=AUTO,STRICT}: keep the best instruction set, make results alignment-independent)
 * removes it. oneMKL reads the variable when it first runs, so this must happen before the first DJL call.
 * An operator's own {@code MKL_CBWR} wins.
 */
final class NumericReproducibility {

    static final String VARIABLE = "MKL_CBWR";
    static final String STRICT = "AUTO,STRICT";

    /** The C library's setenv: Java cannot change its own process environment. */
    interface C extends Library {
        int setenv(String name, String value, int overwrite);
    }

    private NumericReproducibility() {
    }

    static void pinMklBranch() {
        if (System.getenv(VARIABLE) != null) {
            return;
        }
        try {
            C c = Native.load("c", C.class);
            if (c.setenv(VARIABLE, STRICT, 0) != 0) {
                Log.warnf("could not set %s; resumed runs may differ from uninterrupted ones in the last bits", VARIABLE);
            }
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            Log.warnf("could not set %s (%s); resumed runs may differ from uninterrupted ones in the last bits", VARIABLE, e);
        }
    }
}
