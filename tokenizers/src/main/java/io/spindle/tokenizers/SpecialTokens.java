package io.spindle.tokenizers;

import java.util.List;

/**
 * The special tokens every Spindle BPE vocabulary starts with. Their ids are part of the contract
 * (packing writes EOS between documents, trainers may mask PAD), so they never move: EOS is 0,
 * BOS 1, PAD 2, and the 256 byte tokens follow at {@link #FIRST_BYTE_ID} + byte value.
 */
public final class SpecialTokens {

    /** End of document; packing puts it between documents. Same text as GPT-2's EOS. */
    public static final String EOS = "<|endoftext|>";
    public static final int EOS_ID = 0;

    /** Beginning of sequence, for callers that want one; packing does not need it. */
    public static final String BOS = "<|bos|>";
    public static final int BOS_ID = 1;

    /** Padding, for callers that batch ragged sequences; packed training rows never contain it. */
    public static final String PAD = "<|pad|>";
    public static final int PAD_ID = 2;

    /** The specials in id order: the list index is the id. */
    public static final List<String> ALL = List.of(EOS, BOS, PAD);

    /** Id of the token for byte 0; byte b has id FIRST_BYTE_ID + b. */
    public static final int FIRST_BYTE_ID = ALL.size();

    /** Id of the first merged token. */
    public static final int FIRST_MERGE_ID = FIRST_BYTE_ID + 256;

    private SpecialTokens() {
    }
}
