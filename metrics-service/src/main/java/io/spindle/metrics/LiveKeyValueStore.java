package io.spindle.metrics;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * A key-value store that keeps its values as live objects between commits, in front of a changelogged store
 * ({@code inner}, built by Kafka Streams' own builders, so the changelog topic and its format are the usual ones).
 * A value written on every event (a run's summary, a worker's seen steps) is then neither read back from bytes nor
 * serialized per event, only once per key and commit.
 *
 * <p><b>Why {@link CachedStateStore}.</b> The dirty values must reach the changelog inside the transaction that
 * commits the input offsets they were computed from (exactly-once). Kafka Streams 4.1 calls
 * {@link CachedStateStore#flushCache()} in {@code StreamTask.prepareCommit}, before the producer is flushed and the
 * transaction committed; {@link StateStore#flush()} is only called afterwards (at checkpoint), so writing there
 * would put the records in the next transaction. A punctuation has the same flaw. This is the hook Kafka's own
 * record cache uses (an internal interface: re-check it when Kafka is upgraded; {@code LiveStoresTest} does).
 *
 * <p>Only the stream thread writes; interactive queries read from other threads: the live map is concurrent and
 * the values are immutable. After a restart (or a dirty close) the live map starts empty and values are read from
 * the restored inner store as they are needed.
 */
class LiveKeyValueStore<V> implements KeyValueStore<String, V>, CachedStateStore<String, V> {

    private final KeyValueStore<String, V> inner;
    private final BiConsumer<String, V> onFlush;
    private final Map<String, V> live = new ConcurrentHashMap<>();
    /** Keys whose live value the inner store does not have yet (stream thread only). */
    private final Set<String> dirty = new LinkedHashSet<>();

    /**
     * @param inner   the changelogged store the values are written to once per commit
     * @param onFlush told of every value as it is written (on the stream thread, at commit): gauges, SSE
     */
    LiveKeyValueStore(KeyValueStore<String, V> inner, BiConsumer<String, V> onFlush) {
        this.inner = inner;
        this.onFlush = onFlush;
    }

    /**
     * The same over a timestamped inner store (the DSL's format: the changelog of a DSL aggregate stays readable).
     * {@link TimestampedBytesStore} tells the restore to add the changelog record's timestamp to each value, as the
     * inner store expects: Kafka Streams asks the outermost store, this one.
     */
    static final class Timestamped<V> extends LiveKeyValueStore<ValueAndTimestamp<V>>
            implements TimestampedKeyValueStore<String, V>, TimestampedBytesStore {
        Timestamped(TimestampedKeyValueStore<String, V> inner, BiConsumer<String, ValueAndTimestamp<V>> onFlush) {
            super(inner, onFlush);
        }
    }

    @Override
    public V get(String key) {
        V value = live.get(key);
        return value != null ? value : inner.get(key);
    }

    @Override
    public void put(String key, V value) {
        if (value == null) {
            delete(key);
            return;
        }
        live.put(key, value);
        dirty.add(key);
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(entry -> put(entry.key, entry.value));
    }

    @Override
    public V delete(String key) {
        V previous = get(key);
        live.remove(key);
        dirty.remove(key);
        inner.delete(key);
        return previous;
    }

    /** Writes the values changed since the last commit to the inner (changelogged) store. */
    @Override
    public void flushCache() {
        for (String key : dirty) {
            V value = live.get(key);
            inner.put(key, value);
            onFlush.accept(key, value);
        }
        dirty.clear();
    }

    @Override
    public void clearCache() {
        live.clear();
        dirty.clear();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, V> listener, boolean sendOldValues) {
        return false; // only the DSL sets one; this store has its own (onFlush)
    }

    /** Called after the commit (at checkpoints): dirty values are written by {@link #flushCache()}, inside it. */
    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        clearCache();
        inner.init(context, root);
    }

    @Override
    public void close() {
        clearCache();
        inner.close();
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        TreeMap<String, V> all = snapshot();
        if (from != null && to != null && from.compareTo(to) > 0) {
            return new ListKeyValueIterator<>(List.of());
        }
        Map<String, V> range = from == null ? (to == null ? all : all.headMap(to, true))
                : to == null ? all.tailMap(from, true) : all.subMap(from, true, to, true);
        return ListKeyValueIterator.of(range);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return ListKeyValueIterator.of(snapshot());
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, PS serializer) {
        byte[] wanted = serializer.serialize(null, prefix);
        TreeMap<String, V> matching = new TreeMap<>();
        snapshot().forEach((key, value) -> {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            if (bytes.length >= wanted.length && Arrays.equals(bytes, 0, wanted.length, wanted, 0, wanted.length)) {
                matching.put(key, value);
            }
        });
        return ListKeyValueIterator.of(matching);
    }

    /** The inner store's entries with the live values over them. */
    private TreeMap<String, V> snapshot() {
        TreeMap<String, V> all = new TreeMap<>();
        try (KeyValueIterator<String, V> stored = inner.all()) {
            stored.forEachRemaining(entry -> all.put(entry.key, entry.value));
        }
        all.putAll(live);
        return all;
    }

    @Override
    public long approximateNumEntries() {
        return Math.max(inner.approximateNumEntries(), live.size());
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    /** Interactive queries v2 see the committed values (this service queries through the v1 API above). */
    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }
}
