package io.spindle.tokenizer;

import io.spindle.contracts.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/** corpus.documents -> (pack) -> train.batches, with rejects to corpus.rejected. */
@ApplicationScoped
public class TokenizerTopology {

    static final String SOURCE = "documents";
    static final String PACKER = "packer";
    static final String PACKER_STORE = "packer-state";
    static final String SEEN_STORE = "seen-texts";
    static final String MIXER_STORE = "mixer-state";
    static final String BATCHES_SINK = "batches";
    static final String REJECTED_SINK = "rejected";

    @Produces
    public Topology buildTopology(TextTokenizer tokenizer, TokenizerServiceConfig config, TokenizerStats stats) {
        DocumentParser parser = new DocumentParser(new DocumentParser.Policy(config.maxDocumentBytes(),
                config.invalidUtf8() == TokenizerServiceConfig.InvalidUtf8.REPLACE, config.nfc()));
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.CORPUS_DOCUMENTS);
        topology.addProcessor(PACKER, () -> new PackingProcessor(parser, tokenizer, config, stats), SOURCE);
        // The partial batch is a few KiB per partition: kept in memory, backed by its (compacted) changelog, so
        // a commit does not flush a RocksDB memtable for it, and a restart restores it in milliseconds. Cached: it
        // is rewritten after every document, but only its state at each commit goes to the changelog (one record
        // per partition and commit instead of a few KiB per document, which doubled what the service wrote).
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(PACKER_STORE), Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), PACKER);
        if (config.dedup()) {
            // RocksDB: memory stays bounded (block cache), disk grows ~16 bytes + overhead per distinct text.
            topology.addStateStore(Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(SEEN_STORE), Serdes.Bytes(), Serdes.ByteArray()), PACKER);
        }
        if (!config.mixing().weights().isEmpty()) {
            topology.addStateStore(Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(MIXER_STORE), Serdes.String(), Serdes.ByteArray()), PACKER);
        }
        topology.addSink(BATCHES_SINK, Topics.TRAIN_BATCHES, new ByteArraySerializer(), new ByteArraySerializer(),
                new ShardPartitioner(), PACKER);
        topology.addSink(REJECTED_SINK, Topics.CORPUS_REJECTED, new ByteArraySerializer(), new ByteArraySerializer(), PACKER);
        return topology;
    }

    /**
     * Batches packed from input partition p go to batch partition p mod N, so a trainer shard reads each
     * input partition's batches in order.
     */
    static final class ShardPartitioner implements StreamPartitioner<byte[], byte[]> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, byte[] shard, byte[] value, int numPartitions) {
            int inputPartition = Integer.parseInt(new String(shard, StandardCharsets.UTF_8));
            return Optional.of(Set.of(inputPartition % numPartitions));
        }
    }
}
