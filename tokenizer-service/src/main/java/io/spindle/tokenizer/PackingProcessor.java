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
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Parse, validate, tokenize, pack, emit: one document at a time. The packer's pending tokens are read from
 * and written back to a changelogged store on every record, so under exactly-once they commit in the same
 * transaction as the batches and input offsets they belong with.
 */
final class PackingProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final String PACKER_KEY = "packer";

    private final DocumentParser parser;
    private final TextTokenizer tokenizer;
    private final TokenizerServiceConfig config;
    private final TokenizerStats stats;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> packerStore;

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
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        DocumentParser.Parsed parsed = parser.parse(key, record.value());
        if (parsed instanceof DocumentParser.Accepted accepted) {
            pack(accepted.document().text(), source, record.timestamp());
        } else {
            reject(record, source, (DocumentParser.Rejected) parsed);
        }
    }

    private void pack(String text, RecordMetadata source, long timestamp) {
        int[] tokens = tokenizer.encode(text);
        int[] withEos = Arrays.copyOf(tokens, tokens.length + 1);
        withEos[tokens.length] = tokenizer.eosId();

        RowPacker packer = new RowPacker(config.runId(), tokenizer.id(), source.partition(),
                config.rowsPerBatch(), config.rowLength())
                .restore(packerStore.get(PACKER_KEY));
        List<TokenBatch> batches = packer.append(withEos, source.offset());
        packerStore.put(PACKER_KEY, packer.toBytes());

        byte[] shard = String.valueOf(source.partition()).getBytes(StandardCharsets.UTF_8);
        for (TokenBatch batch : batches) {
            context.forward(new Record<>(shard, BatchCodec.encode(batch), timestamp), TokenizerTopology.BATCHES_SINK);
        }
        stats.accepted(withEos.length, batches.size());
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
