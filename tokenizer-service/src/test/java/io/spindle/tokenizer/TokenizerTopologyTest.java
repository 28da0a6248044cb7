package io.spindle.tokenizer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spindle.contracts.Rejection;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTopologyTest {

    static final Path SAMPLE_TOKENIZER = Path.of("../samples/tokenizer.json");
    static TextTokenizer tokenizer;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void loadTokenizer() {
        tokenizer = new HuggingFaceTextTokenizer(SAMPLE_TOKENIZER, "<|endoftext|>");
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @Test
    void packsAcceptedDocumentsAndRejectsTheRest() {
        TestConfig config = new TestConfig(SAMPLE_TOKENIZER, 2, 17);
        TokenizerStats stats = new TokenizerStats(new SimpleMeterRegistry());
        try (TopologyTestDriver driver = new TopologyTestDriver(
                new TokenizerTopology().buildTopology(tokenizer, config, stats), properties())) {
            TestInputTopic<byte[], byte[]> documents = driver.createInputTopic(Topics.CORPUS_DOCUMENTS,
                    new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> batches = driver.createOutputTopic(Topics.TRAIN_BATCHES,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> rejected = driver.createOutputTopic(Topics.CORPUS_REJECTED,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());

            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String text = "Document " + i + " is about the sea, ships and the weather at " + (i * 7) + " knots.";
                String value = i % 2 == 0 ? "{\"id\":\"d" + i + "\",\"text\":\"" + text + "\"}" : text;
                documents.pipeInput(("d" + i).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
                for (int id : tokenizer.encode(text)) {
                    expected.add(id);
                }
                expected.add(tokenizer.eosId());
                if (i % 10 == 0) {
                    documents.pipeInput("bad".getBytes(StandardCharsets.UTF_8), "{\"text\": 3}".getBytes(StandardCharsets.UTF_8));
                }
            }

            List<Integer> packed = new ArrayList<>();
            long seq = 0;
            for (TestRecord<byte[], byte[]> record : batches.readRecordsToList()) {
                TokenBatch batch = BatchCodec.decode(record.value());
                assertEquals(seq++, batch.seq());
                assertEquals(17, batch.rowLength());
                assertEquals(tokenizer.id(), batch.tokenizerId());
                for (int token : batch.tokens()) {
                    packed.add(token);
                }
            }
            assertTrue(packed.size() > 0);
            assertEquals(expected.subList(0, packed.size()), packed, "batches hold the documents' tokens, in order");
            assertTrue(expected.size() - packed.size() < 2 * 17, "only a partial batch stays pending");

            List<TestRecord<byte[], byte[]>> rejects = rejected.readRecordsToList();
            assertEquals(4, rejects.size());
            Headers headers = rejects.get(0).headers();
            assertEquals(Rejection.Reason.TEXT_NOT_STRING.name(), header(headers, Rejection.HEADER_REASON));
            assertEquals(Topics.CORPUS_DOCUMENTS, header(headers, Rejection.HEADER_SOURCE_TOPIC));
            assertEquals("{\"text\": 3}", new String(rejects.get(0).value(), StandardCharsets.UTF_8));
            assertEquals(40, stats.snapshot().documents());
            assertEquals(4, stats.snapshot().rejected());
        }
    }

    private Properties properties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tokenizer-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    record TestConfig(Path file, int rowsPerBatch, int rowLength, boolean dedup, InvalidUtf8 invalidUtf8, boolean nfc,
                      Map<String, Double> weights) implements TokenizerServiceConfig {

        TestConfig(Path file, int rowsPerBatch, int rowLength) {
            this(file, rowsPerBatch, rowLength, true, InvalidUtf8.REJECT, false);
        }

        TestConfig(Path file, int rowsPerBatch, int rowLength, boolean dedup, InvalidUtf8 invalidUtf8, boolean nfc) {
            this(file, rowsPerBatch, rowLength, dedup, invalidUtf8, nfc, Map.of());
        }

        @Override
        public Mixing mixing() {
            return new Mixing() {
                @Override
                public Map<String, Double> weights() {
                    return weights;
                }

                @Override
                public long maxBufferedTokens() {
                    return 100_000;
                }
            };
        }

        @Override
        public String path() {
            return file.toString();
        }

        @Override
        public String eosToken() {
            return "<|endoftext|>";
        }

        @Override
        public FastPath fastPath() {
            return FastPath.AUTO;
        }

        @Override
        public String runId() {
            return "test";
        }

        @Override
        public int maxDocumentBytes() {
            return BadInput.MAX_DOCUMENT_BYTES;
        }
    }
}
