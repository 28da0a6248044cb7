package io.spindle.kafka;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LocalKafkaOptionsTest {

    @Test
    void defaults() {
        LocalKafka.Options o = LocalKafka.Options.parse();
        assertEquals(9092, o.port());
        assertEquals(Path.of(".spindle/kafka"), o.dataDir());
        assertEquals(Map.of(), o.partitions());
    }

    @Test
    void parsesRepeatedPartitionsAndBothSyntaxes() {
        LocalKafka.Options o = LocalKafka.Options.parse("--port=19092", "--data-dir", "/tmp/k",
                "--partitions", "train.batches=1", "--partitions=corpus.documents=8", "--property", "a.b=c=d");
        assertEquals(19092, o.port());
        assertEquals(Path.of("/tmp/k"), o.dataDir());
        assertEquals(Map.of("train.batches", 1, "corpus.documents", 8), o.partitions());
        assertEquals(Map.of("a.b", "c=d"), o.properties());
    }

    @Test
    void rejectsBadInput() {
        assertThrows(LocalKafka.UsageException.class, () -> LocalKafka.Options.parse("--port", "x"));
        assertThrows(LocalKafka.UsageException.class, () -> LocalKafka.Options.parse("--partitions", "t=0"));
        assertThrows(LocalKafka.UsageException.class, () -> LocalKafka.Options.parse("--partitions", "t"));
        assertThrows(LocalKafka.UsageException.class, () -> LocalKafka.Options.parse("--port"));
        assertThrows(LocalKafka.UsageException.class, () -> LocalKafka.Options.parse("--bogus", "1"));
    }
}
