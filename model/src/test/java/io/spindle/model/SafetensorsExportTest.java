package io.spindle.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsExportTest {

    private static final GptConfig ONE_LAYER = new GptConfig(32, 16, 32, 4, 1);

    @Test
    void exportsEveryParameterUnderADescriptiveNameWithItsShapeAndBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        float[] logits;
        int[] probe = {1, 2, 3, 4};
        try (GptTrainer trainer = new GptTrainer(ONE_LAYER, OptimizerConfig.defaults(10))) {
            trainer.exportSafetensors(file);
            logits = trainer.logits(probe, 1, 4);
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = bytes.getLong();
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        byte[] json = new byte[(int) headerLength];
        bytes.get(json);
        JsonNode header = new ObjectMapper().readTree(json);

        Set<String> names = new TreeSet<>();
        header.fieldNames().forEachRemaining(names::add);
        assertEquals(new TreeSet<>(Set.of("__metadata__",
                "token_embedding.weight", "position_embedding.weight",
                "blocks.0.attention_norm.weight", "blocks.0.attention_norm.bias",
                "blocks.0.attention.qkv.weight", "blocks.0.attention.qkv.bias",
                "blocks.0.attention.projection.weight", "blocks.0.attention.projection.bias",
                "blocks.0.mlp_norm.weight", "blocks.0.mlp_norm.bias",
                "blocks.0.mlp.up.weight", "blocks.0.mlp.up.bias",
                "blocks.0.mlp.down.weight", "blocks.0.mlp.down.bias",
                "final_norm.weight", "final_norm.bias")), names);
        assertEquals("32", header.get("__metadata__").get("dModel").asText());
        assertEquals("[96,32]", header.get("blocks.0.attention.qkv.weight").get("shape").toString());
        assertEquals("[128,32]", header.get("blocks.0.mlp.up.weight").get("shape").toString());

        long total = 0;
        long expectedOffset = 0;
        for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode tensor = header.get(name);
            assertEquals("F32", tensor.get("dtype").asText());
            long count = 1;
            for (JsonNode d : tensor.get("shape")) {
                count *= d.asLong();
            }
            assertEquals(expectedOffset, tensor.get("data_offsets").get(0).asLong(), name + " is contiguous");
            assertEquals(expectedOffset + 4 * count, tensor.get("data_offsets").get(1).asLong());
            expectedOffset += 4 * count;
            total += count;
        }
        assertEquals(ONE_LAYER.parameterCount(), total);
        assertEquals(8 + headerLength + 4 * total, Files.size(file));

        // The tied LM head: logits of the last position from the exported final norm and embedding would need
        // the whole network; checking the embedding rows are the bytes the model uses is enough here.
        JsonNode wte = header.get("token_embedding.weight");
        float[] row = new float[32];
        bytes.position((int) (8 + headerLength + wte.get("data_offsets").get(0).asLong()));
        bytes.asFloatBuffer().get(row);
        try (GptTrainer again = new GptTrainer(ONE_LAYER, OptimizerConfig.defaults(10))) {
            assertArrayEquals(logits, again.logits(probe, 1, 4), "same seed, same weights");
            float[] first = again.gpt().getParameters().get("tokenEmbedding").getArray().get(0).toFloatArray();
            assertArrayEquals(first, row);
        }
    }
}
