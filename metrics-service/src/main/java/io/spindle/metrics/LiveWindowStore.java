package io.spindle.metrics;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The tumbling windows of {@link LiveKeyValueStore}: windows still open keep their aggregate as a live object, the
 * changed ones are written to the changelogged {@code inner} window store (the DSL's format) once per commit, in
 * {@link #flushCache()} (see {@link LiveKeyValueStore} for why that hook). A window that can no longer change (its
 * end plus grace is behind the newest window start seen) is dropped from the live map after it was written, so the
 * map holds a few windows per run; a late event for it reads it back from the inner store. A timestamped store
 * ({@link TimestampedBytesStore}: restored values get their timestamp, see {@link LiveKeyValueStore.Timestamped}).
 */
final class LiveWindowStore<V>
        implements TimestampedWindowStore<String, V>, TimestampedBytesStore, CachedStateStore<String, ValueAndTimestamp<V>> {

    private record Slot(String key, long start) {
    }

    private static final Comparator<Slot> ORDER = Comparator.comparing(Slot::key).thenComparingLong(Slot::start);

    private final TimestampedWindowStore<String, V> inner;
    private final long sizeMs;
    private final long liveMs;
    private final Map<Slot, ValueAndTimestamp<V>> live = new ConcurrentHashMap<>();
    private final Set<Slot> dirty = new LinkedHashSet<>();
    private long newestStart = Long.MIN_VALUE;

    /**
     * @param sizeMs window size
     * @param liveMs how long after its start a window may still change (size + grace): kept live that long
     */
    LiveWindowStore(TimestampedWindowStore<String, V> inner, long sizeMs, long liveMs) {
        this.inner = inner;
        this.sizeMs = sizeMs;
        this.liveMs = liveMs;
    }

    @Override
    public void put(String key, ValueAndTimestamp<V> value, long windowStart) {
        Slot slot = new Slot(key, windowStart);
        if (value == null) {
            live.remove(slot);
            dirty.remove(slot);
            inner.put(key, null, windowStart);
            return;
        }
        live.put(slot, value);
        dirty.add(slot);
        newestStart = Math.max(newestStart, windowStart);
    }

    @Override
    public ValueAndTimestamp<V> fetch(String key, long windowStart) {
        ValueAndTimestamp<V> value = live.get(new Slot(key, windowStart));
        return value != null ? value : inner.fetch(key, windowStart);
    }

    @Override
    public void flushCache() {
        for (Slot slot : dirty) {
            inner.put(slot.key(), live.get(slot), slot.start());
        }
        dirty.clear();
        live.keySet().removeIf(slot -> slot.start() + liveMs < newestStart);
    }

    @Override
    public void clearCache() {
        live.clear();
        dirty.clear();
        newestStart = Long.MIN_VALUE;
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, ValueAndTimestamp<V>> listener, boolean sendOldValues) {
        return false;
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
    public WindowStoreIterator<ValueAndTimestamp<V>> fetch(String key, long timeFrom, long timeTo) {
        TreeMap<Long, ValueAndTimestamp<V>> found = new TreeMap<>();
        try (WindowStoreIterator<ValueAndTimestamp<V>> stored = inner.fetch(key, timeFrom, timeTo)) {
            stored.forEachRemaining(entry -> found.put(entry.key, entry.value));
        }
        live.forEach((slot, value) -> {
            if (slot.key().equals(key) && slot.start() >= timeFrom && slot.start() <= timeTo) {
                found.put(slot.start(), value);
            }
        });
        return new WindowIterator<>(found);
    }

    @Override
    public KeyValueIterator<Windowed<String>, ValueAndTimestamp<V>> fetch(String keyFrom, String keyTo, long timeFrom, long timeTo) {
        return windows(stored(inner.fetch(keyFrom, keyTo, timeFrom, timeTo)), slot ->
                (keyFrom == null || slot.key().compareTo(keyFrom) >= 0) && (keyTo == null || slot.key().compareTo(keyTo) <= 0)
                        && slot.start() >= timeFrom && slot.start() <= timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<String>, ValueAndTimestamp<V>> fetchAll(long timeFrom, long timeTo) {
        return windows(stored(inner.fetchAll(timeFrom, timeTo)), slot -> slot.start() >= timeFrom && slot.start() <= timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<String>, ValueAndTimestamp<V>> all() {
        return windows(stored(inner.all()), slot -> true);
    }

    private TreeMap<Slot, ValueAndTimestamp<V>> stored(KeyValueIterator<Windowed<String>, ValueAndTimestamp<V>> iterator) {
        TreeMap<Slot, ValueAndTimestamp<V>> found = new TreeMap<>(ORDER);
        try (iterator) {
            iterator.forEachRemaining(entry -> found.put(new Slot(entry.key.key(), entry.key.window().start()), entry.value));
        }
        return found;
    }

    /** The stored windows with the live ones that match over them. */
    private KeyValueIterator<Windowed<String>, ValueAndTimestamp<V>> windows(TreeMap<Slot, ValueAndTimestamp<V>> found,
                                                                          Predicate<Slot> wanted) {
        live.forEach((slot, value) -> {
            if (wanted.test(slot)) {
                found.put(slot, value);
            }
        });
        List<KeyValue<Windowed<String>, ValueAndTimestamp<V>>> entries = new ArrayList<>(found.size());
        found.forEach((slot, value) -> entries.add(KeyValue.pair(
                new Windowed<>(slot.key(), new TimeWindow(slot.start(), slot.start() + sizeMs)), value)));
        return new ListKeyValueIterator<>(entries);
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

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    private static final class WindowIterator<V> extends ListKeyValueIterator<Long, V> implements WindowStoreIterator<V> {
        WindowIterator(TreeMap<Long, V> windows) {
            super(ListKeyValueIterator.entriesOf(windows));
        }
    }
}
