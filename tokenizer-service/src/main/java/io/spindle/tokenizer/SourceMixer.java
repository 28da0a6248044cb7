package io.spindle.tokenizer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Source mixing in the spirit of Megatron's BlendedDataset, for a stream: documents of weighted sources wait
 * in a per-source queue, and the next document packed is always the head of the source furthest below its
 * share of the tokens packed so far ({@code weight * total - packed[source]} largest; ties to the smaller
 * name). While some weighted source has nothing queued, the mixer waits for it, unless the queues already
 * hold {@code maxBufferedTokens}, in which case it goes on with the sources it has (the shares then drift
 * until the missing source is back). Documents of other sources (or none) are not mixed: they pass
 * straight through.
 *
 * <p>The queues and counters live in a {@link Storage} (the changelogged {@code mixer-state} store in the
 * service), one entry per queued document plus one for the counters, so that they commit with the batches.
 */
public final class SourceMixer {

    /** Key-value storage of the mixer's state; the service backs it with a Kafka Streams state store. */
    public interface Storage {
        byte[] get(String key);

        void put(String key, byte[] value);

        void delete(String key);
    }

    /** One queued document: its tokens (EOS included) and its input offset. */
    public record Document(int[] tokens, long offset) {
    }

    private static final String META = "meta";

    private final Map<String, Double> shares = new TreeMap<>();
    private final long maxBufferedTokens;
    private final Storage storage;

    /** Per source: next sequence to read, next to write, tokens packed; and tokens buffered in all. */
    private final Map<String, long[]> counters = new TreeMap<>();
    private long bufferedTokens;
    private long packedTokens;

    public SourceMixer(Map<String, Double> weights, long maxBufferedTokens, Storage storage) {
        double sum = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        weights.forEach((source, weight) -> {
            if (!(weight > 0)) {
                throw new IllegalArgumentException("spindle.tokenizer.mixing.weights." + source + " must be > 0, is " + weight);
            }
            shares.put(source, weight / sum);
        });
        this.maxBufferedTokens = maxBufferedTokens;
        this.storage = storage;
        load();
    }

    public boolean mixes(String source) {
        return source != null && shares.containsKey(source);
    }

    /** Queues a document of a mixed source, then returns the documents to pack now, in order. */
    public List<Document> offer(String source, Document document) {
        long[] c = counters.get(source);
        storage.put(queueKey(source, c[1]++), encode(document));
        bufferedTokens += document.tokens().length;
        List<Document> out = new ArrayList<>();
        for (String next = pick(); next != null; next = pick()) {
            long[] n = counters.get(next);
            String key = queueKey(next, n[0]++);
            Document head = decode(storage.get(key));
            storage.delete(key);
            bufferedTokens -= head.tokens().length;
            n[2] += head.tokens().length;
            packedTokens += head.tokens().length;
            out.add(head);
        }
        save();
        return out;
    }

    /** The source to take from next, or null to wait. */
    private String pick() {
        boolean someoneMissing = false;
        String best = null;
        double bestDeficit = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : shares.entrySet()) {
            long[] c = counters.get(e.getKey());
            if (c[0] == c[1]) {
                someoneMissing = true;
                continue;
            }
            double deficit = e.getValue() * packedTokens - c[2];
            if (deficit > bestDeficit) {
                bestDeficit = deficit;
                best = e.getKey();
            }
        }
        if (someoneMissing && bufferedTokens < maxBufferedTokens) {
            return null;
        }
        return best;
    }

    /** Tokens packed per mixed source so far. */
    public Map<String, Long> packedBySource() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((source, c) -> out.put(source, c[2]));
        return out;
    }

    private static String queueKey(String source, long seq) {
        return "q/" + source + "/" + seq;
    }

    private void load() {
        for (String source : shares.keySet()) {
            counters.put(source, new long[3]);
        }
        byte[] meta = storage.get(META);
        if (meta == null) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(meta))) {
            bufferedTokens = in.readLong();
            packedTokens = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String source = in.readUTF();
                long[] c = {in.readLong(), in.readLong(), in.readLong()};
                // A source dropped from the weights keeps its counters; its queue waits until it is weighted again.
                counters.put(source, c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt mixer state", e);
        }
    }

    private void save() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(bufferedTokens);
            out.writeLong(packedTokens);
            out.writeInt(counters.size());
            for (Map.Entry<String, long[]> e : counters.entrySet()) {
                out.writeUTF(e.getKey());
                for (long v : e.getValue()) {
                    out.writeLong(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        storage.put(META, bytes.toByteArray());
    }

    private static byte[] encode(Document d) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(12 + d.tokens().length * 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(d.offset());
            out.writeInt(d.tokens().length);
            for (int t : d.tokens()) {
                out.writeInt(t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Document decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            long offset = in.readLong();
            int[] tokens = new int[in.readInt()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = in.readInt();
            }
            return new Document(tokens, offset);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt mixer queue entry", e);
        }
    }
}
