package io.spindle.drafter;

/** The drafters {@link Drafters} can build; configured as {@code spindle.drafter.spot.kind}. */
public enum DrafterKind {
    /** {@code eagle}: EAGLE-style, one decoder layer over the target's features, its embedding and head frozen. */
    EAGLE,
    /** {@code small-lm}: the design's baseline, a small GPT on the same token stream as the target. */
    SMALL_LM
}
