package io.spindle.model;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes fp32 tensors in the safetensors format that PyTorch ({@code safetensors.torch.load_file}) and
 * Hugging Face load: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
 * and byte range (plus free-form string {@code __metadata__}), then the raw little-endian data. The header is
 * padded with spaces to a multiple of 8, as the reference writer does, so the data is aligned.
 */
public final class Safetensors {

    /** One tensor: row-major fp32 values and their shape. */
    public record Tensor(long[] shape, float[] values) {
        public Tensor {
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (count != values.length) {
                throw new IllegalArgumentException("shape holds " + count + " values, got " + values.length);
            }
        }
    }

    private Safetensors() {
    }

    /** Writes {@code tensors} (in iteration order) and {@code metadata} to {@code file}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            header.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            first = false;
        }
        header.append('}');
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = 4L * e.getValue().values().length;
            header.append(',').append(quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":[");
            long[] shape = e.getValue().shape();
            for (int i = 0; i < shape.length; i++) {
                header.append(i == 0 ? "" : ",").append(shape[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (Tensor tensor : tensors.values()) {
                ByteBuffer data = ByteBuffer.allocate(4 * tensor.values().length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(tensor.values());
                out.write(data.array());
            }
        }
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
