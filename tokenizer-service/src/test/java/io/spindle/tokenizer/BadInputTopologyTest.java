package io.spindle.tokenizer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spindle.contracts.Rejection;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.TokenizerJsonReader;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of docs/bad-input.md through the topology: each record gets its reason, or its exact tokens. */
class BadInputTopologyTest {

    static final Path SAMPLE_TOKENIZER = TokenizerTopologyTest.SAMPLE_TOKENIZER;
    static final int ROWS = 8;
    static final int ROW_LENGTH = 129;

    static TextTokenizer tokenizer;
    static ByteLevelBpeEncoder decoder;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = TokenizerLoader.load(SAMPLE_TOKENIZER.toString(), "<|endoftext|>", TokenizerServiceConfig.FastPath.REQUIRED);
        decoder = new ByteLevelBpeEncoder(TokenizerJsonReader.read(SAMPLE_TOKENIZER));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.spindle.tokenizer.BadInput#ALL")
    void eachKindIsAcceptedExactlyOrRejectedWithItsReason(BadInput.Kind kind) {
        TokenizerStats stats = new TokenizerStats(new SimpleMeterRegistry());
        var config = new TokenizerTopologyTest.TestConfig(SAMPLE_TOKENIZER, ROWS, ROW_LENGTH);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                new TokenizerTopology().buildTopology(tokenizer, config, stats), properties())) {
            TestInputTopic<byte[], byte[]> documents = driver.createInputTopic(Topics.CORPUS_DOCUMENTS,
                    new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> batches = driver.createOutputTopic(Topics.TRAIN_BATCHES,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> rejected = driver.createOutputTopic(Topics.CORPUS_REJECTED,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());

            for (int i = 0; i < kind.docs().size(); i++) {
                BadInput.Doc doc = kind.docs().get(i);
                documents.pipeInput(new TestRecord<>(doc.key(), doc.value(), tagged(kind, i)));
            }
            String flush = flushText(0);
            documents.pipeInput(BadInput.utf8("flush"), BadInput.utf8(flush));

            List<String> expectedRejects = new ArrayList<>();
            List<String> expectedTexts = new ArrayList<>();
            for (int i = 0; i < kind.docs().size(); i++) {
                BadInput.Outcome outcome = kind.docs().get(i).outcome();
                if (outcome.isAccepted()) {
                    expectedTexts.add(outcome.acceptedText());
                } else {
                    expectedRejects.add(tag(kind, i) + " " + outcome.reason());
                }
            }
            List<String> rejects = new ArrayList<>();
            for (TestRecord<byte[], byte[]> record : rejected.readRecordsToList()) {
                rejects.add(header(record.headers(), BadInput.KIND_HEADER) + " " + header(record.headers(), Rejection.HEADER_REASON));
                assertTrue(record.headers().lastHeader(Rejection.HEADER_DETAIL).value().length > 0, "a reason has a detail");
            }
            assertEquals(expectedRejects, rejects);

            List<Integer> packed = new ArrayList<>();
            batches.readRecordsToList().forEach(r -> {
                for (int token : BatchCodec.decode(r.value()).tokens()) {
                    packed.add(token);
                }
            });
            List<String> texts = documentsIn(packed, expectedTexts.size());
            assertEquals(expectedTexts, texts, "accepted texts come back exactly from their packed tokens");
            assertEquals(expectedTexts.size() + 1, stats.snapshot().documents(), "the kind's documents and the flush");
        }
    }

    /** The catalogue in docs/bad-input.md names every kind with its outcome. */
    @Test
    void theCatalogueDocumentListsEveryKind() throws IOException {
        String doc = Files.readString(Path.of("../docs/bad-input.md"));
        assertTrue(BadInput.ALL.size() >= 20, "at least 20 kinds");
        for (BadInput.Kind kind : BadInput.ALL) {
            String outcomes = String.join(", then ", kind.docs().stream().map(d -> d.outcome().toString()).toList());
            assertTrue(doc.contains("| " + kind.name() + " |"), "docs/bad-input.md has a row for " + kind.name());
            String row = doc.lines().filter(l -> l.startsWith("| " + kind.name() + " |")).findFirst().orElseThrow();
            assertTrue(row.contains("**" + outcomes + "**"), kind.name() + ": the row says **" + outcomes + "**: " + row);
        }
    }

    /** The first n documents of a packed stream (split at EOS), decoded. */
    static List<String> documentsIn(List<Integer> packed, int n) {
        List<String> texts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < packed.size() && texts.size() < n; i++) {
            if (packed.get(i) == tokenizer.eosId()) {
                texts.add(decoder.decode(packed.subList(start, i).stream().mapToInt(Integer::intValue).toArray()));
                start = i + 1;
            }
        }
        return texts;
    }

    /** A document of more than one batch of tokens, so every document before it leaves in whole batches. */
    static String flushText(long seed) {
        return "Flush " + seed + ": " + BadInput.prose(ROWS * ROW_LENGTH * 8, 1000 + seed);
    }

    static String tag(BadInput.Kind kind, int doc) {
        return kind.name() + "#" + doc;
    }

    static Headers tagged(BadInput.Kind kind, int doc) {
        Headers headers = new RecordHeaders();
        headers.add(BadInput.KIND_HEADER, BadInput.utf8(tag(kind, doc)));
        return headers;
    }

    static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private Properties properties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bad-input-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }
}
