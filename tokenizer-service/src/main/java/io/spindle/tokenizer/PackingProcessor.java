package io.spindle.tokenizer;

import io.spindle.contracts.Rejection;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parse, validate, deduplicate, tokenize, pack, emit: one document at a time. The packer's pending tokens
 * and the hashes of accepted texts are read from and written to changelogged stores on every record, so
 * under exactly-once they commit in the same transaction as the batches and input offsets they belong with.
 */
final class PackingProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final String PACKER_KEY = "packer";
    private static final byte[] SEEN = new byte[0];
    /** 128 bits of SHA-256: collisions stay negligible (~1e-20 at a billion documents) at half the bytes. */
    private static final int HASH_BYTES = 16;

    private final DocumentParser parser;
    private final TextTokenizer tokenizer;
    private final TokenizerServiceConfig config;
    private final TokenizerStats stats;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> packerStore;
    private KeyValueStore<Bytes, byte[]> seenStore;
    private SourceMixer mixer;
    private MessageDigest sha256;
    /**
     * The packer as of the last document, and the state bytes it was stored as. While the store still holds those
     * very bytes the object is reused, instead of being decoded from them for every document; after a restore or
     * an aborted transaction the store holds other bytes and the packer is decoded from them. Not current while a
     * document is being packed: if one fails half-way, the next decodes the packer from the store again.
     */
    private RowPacker packer;
    private byte[] storedPacker;
    private boolean packerCurrent;

    PackingProcessor(DocumentParser parser, TextTokenizer tokenizer, TokenizerServiceConfig config, TokenizerStats stats) {
        this.parser = parser;
        this.tokenizer = tokenizer;
        this.config = config;
        this.stats = stats;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.packerStore = context.getStateStore(TokenizerTopology.PACKER_STORE);
        if (config.dedup()) {
            this.seenStore = context.getStateStore(TokenizerTopology.SEEN_STORE);
        }
        if (!config.mixing().weights().isEmpty()) {
            KeyValueStore<String, byte[]> mixerStore = context.getStateStore(TokenizerTopology.MIXER_STORE);
            this.mixer = new SourceMixer(config.mixing().weights(), config.mixing().maxBufferedTokens(),
                    new SourceMixer.Storage() {
                        @Override
                        public byte[] get(String key) {
                            return mixerStore.get(key);
                        }

                        @Override
                        public void put(String key, byte[] value) {
                            mixerStore.put(key, value);
                        }

                        @Override
                        public void delete(String key) {
                            mixerStore.delete(key);
                        }
                    });
        }
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        DocumentParser.Parsed parsed = parser.parse(key, record.value());
        if (parsed instanceof DocumentParser.Accepted accepted) {
            String text = accepted.document().text();
            if (seenStore != null && !firstTime(accepted.utf8())) {
                reject(record, source, new DocumentParser.Rejected(Rejection.Reason.DUPLICATE,
                        "the same text was already accepted from partition " + source.partition()));
                stats.duplicate();
                return;
            }
            pack(text, accepted.document().source(), source, record.timestamp());
            stats.acceptedBytes(record.value().length);
        } else {
            reject(record, source, (DocumentParser.Rejected) parsed);
        }
    }

    private void pack(String text, String documentSource, RecordMetadata source, long timestamp) {
        int[] tokens = tokenizer.encode(text);
        int[] withEos = Arrays.copyOf(tokens, tokens.length + 1);
        withEos[tokens.length] = tokenizer.eosId();

        RowPacker packer = packer(source.partition());
        List<TokenBatch> batches = new ArrayList<>();
        if (mixer != null && mixer.mixes(documentSource)) {
            // Mixed: the document may wait, and others may leave with it (lineage offsets then interleave).
            for (SourceMixer.Document next : mixer.offer(documentSource, new SourceMixer.Document(withEos, source.offset()))) {
                batches.addAll(packer.append(next.tokens(), next.offset()));
            }
        } else {
            batches.addAll(packer.append(withEos, source.offset()));
        }
        storedPacker = packer.toBytes();
        packerStore.put(PACKER_KEY, storedPacker);
        packerCurrent = true;

        byte[] shard = String.valueOf(source.partition()).getBytes(StandardCharsets.UTF_8);
        for (TokenBatch batch : batches) {
            context.forward(new Record<>(shard, BatchCodec.encode(batch), timestamp), TokenizerTopology.BATCHES_SINK);
        }
        stats.accepted(withEos.length, batches.size(), config.rowsPerBatch() * config.rowLength());
    }

    private RowPacker packer(int partition) {
        byte[] stored = packerStore.get(PACKER_KEY);
        if (!packerCurrent || stored != storedPacker) {
            packer = new RowPacker(config.runId(), tokenizer.id(), partition, config.rowsPerBatch(), config.rowLength())
                    .restore(stored);
        }
        packerCurrent = false;
        return packer;
    }

    /** Records the hash of the text (its UTF-8 bytes); false when it was there already. */
    private boolean firstTime(byte[] textUtf8) {
        byte[] digest = sha256.digest(textUtf8);
        Bytes key = Bytes.wrap(Arrays.copyOf(digest, HASH_BYTES));
        if (seenStore.get(key) != null) {
            return false;
        }
        seenStore.put(key, SEEN);
        return true;
    }

    private void reject(Record<byte[], byte[]> record, RecordMetadata source, DocumentParser.Rejected rejected) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(Rejection.HEADER_REASON, utf8(rejected.reason().name()));
        headers.add(Rejection.HEADER_DETAIL, utf8(rejected.detail()));
        headers.add(Rejection.HEADER_SOURCE_TOPIC, utf8(Topics.CORPUS_DOCUMENTS));
        headers.add(Rejection.HEADER_SOURCE_PARTITION, utf8(String.valueOf(source.partition())));
        headers.add(Rejection.HEADER_SOURCE_OFFSET, utf8(String.valueOf(source.offset())));
        context.forward(record.withHeaders(headers), TokenizerTopology.REJECTED_SINK);
        stats.rejected(rejected.reason());
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
