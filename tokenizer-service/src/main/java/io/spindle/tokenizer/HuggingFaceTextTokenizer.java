package io.spindle.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Any Hugging Face {@code tokenizer.json} through DJL's binding of the Rust tokenizers. Special tokens are
 * not added and nothing is truncated: the packer decides where rows end, not the tokenizer.
 */
public final class HuggingFaceTextTokenizer implements TextTokenizer {

    private final HuggingFaceTokenizer tokenizer;
    private final int eosId;
    private final String id;

    public HuggingFaceTextTokenizer(Path tokenizerJson, String eosToken) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IllegalArgumentException("spindle.tokenizer.path: no tokenizer file at " + tokenizerJson.toAbsolutePath());
        }
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            this.id = tokenizerJson.getFileName() + "@" + sha256Prefix(tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
        }
        long[] eos = tokenizer.encode(eosToken).getIds();
        if (eos.length != 1) {
            tokenizer.close();
            throw new IllegalArgumentException("spindle.tokenizer.eos-token: '" + eosToken + "' is " + eos.length
                    + " tokens in " + tokenizerJson + ", it must be exactly one");
        }
        this.eosId = Math.toIntExact(eos[0]);
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static String sha256Prefix(Path file) throws IOException {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
