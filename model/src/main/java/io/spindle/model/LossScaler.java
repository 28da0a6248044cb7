package io.spindle.model;

/**
 * Dynamic loss scaling with PyTorch {@code GradScaler} semantics. Reduced-precision gradients underflow
 * when they are small; multiplying the loss by a large scale before backward keeps them representable, and
 * the optimizer divides it back out. When any gradient comes back inf/NaN the scale was too large: the step
 * is skipped and the scale halved. After {@code growthInterval} clean steps in a row it doubles again.
 *
 * <p>Defaults: start 65536 (2^16), growth x2 every 2000 clean steps, backoff x0.5. A disabled scaler (fp32,
 * which is all DJL can train in on CPU) always has scale 1 and never skips, exactly like
 * {@code GradScaler(enabled=False)}. Not thread-safe; the trainer owns it.
 */
public final class LossScaler {

    public static final float INITIAL_SCALE = 65536f;
    public static final int GROWTH_INTERVAL = 2000;
    public static final float GROWTH_FACTOR = 2f;
    public static final float BACKOFF_FACTOR = 0.5f;

    private final boolean enabled;
    private final int growthInterval;
    private float scale;
    private int cleanSteps;

    private LossScaler(boolean enabled, float scale, int growthInterval, int cleanSteps) {
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, was " + scale);
        }
        if (growthInterval <= 0) {
            throw new IllegalArgumentException("growthInterval must be positive, was " + growthInterval);
        }
        this.enabled = enabled;
        this.scale = scale;
        this.growthInterval = growthInterval;
        this.cleanSteps = cleanSteps;
    }

    /** For reduced-precision training: scale 65536, growth every 2000 clean steps. */
    public static LossScaler dynamic() {
        return new LossScaler(true, INITIAL_SCALE, GROWTH_INTERVAL, 0);
    }

    /** A custom start and growth interval (tests, or a checkpoint that recorded them). */
    public static LossScaler dynamic(float initialScale, int growthInterval) {
        return new LossScaler(true, initialScale, growthInterval, 0);
    }

    /** For fp32: scale 1, nothing skipped. */
    public static LossScaler disabled() {
        return new LossScaler(false, 1f, GROWTH_INTERVAL, 0);
    }

    /** What the loss is multiplied by before backward (and gradients divided by before the update). */
    public float scale() {
        return scale;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Clean steps since the last change of scale. */
    public int cleanSteps() {
        return cleanSteps;
    }

    /**
     * Records one step's outcome and adjusts the scale. Returns whether the optimizer may apply the step:
     * false when gradients were not all finite (the step must be skipped; the scale has been halved).
     *
     * @param gradientsFinite whether every (scaled) gradient element was finite; the global gradient norm
     *                        being finite is the cheap equivalent check
     */
    public boolean update(boolean gradientsFinite) {
        if (!enabled) {
            return true;
        }
        if (!gradientsFinite) {
            scale *= BACKOFF_FACTOR;
            cleanSteps = 0;
            return false;
        }
        cleanSteps++;
        if (cleanSteps == growthInterval) {
            float grown = scale * GROWTH_FACTOR;
            // GradScaler never grows into inf: a scale that would overflow stays where it is.
            if (Float.isFinite(grown)) {
                scale = grown;
            }
            cleanSteps = 0;
        }
        return true;
    }

    /** The state a checkpoint stores: "enabled,scale,cleanSteps,growthInterval". */
    public String state() {
        return enabled + "," + scale + "," + cleanSteps + "," + growthInterval;
    }

    /** Inverse of {@link #state()}. */
    public static LossScaler fromState(String state) {
        String[] parts = state.split(",");
        if (parts.length != 4) {
            throw new IllegalArgumentException("loss scaler state must be enabled,scale,cleanSteps,growthInterval, was " + state);
        }
        return new LossScaler(Boolean.parseBoolean(parts[0]), Float.parseFloat(parts[1]),
                Integer.parseInt(parts[3]), Integer.parseInt(parts[2]));
    }
}
