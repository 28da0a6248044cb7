package io.spindle.metrics;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** A store iterator over entries gathered beforehand (the live stores answer queries from a snapshot). */
class ListKeyValueIterator<K, V> implements KeyValueIterator<K, V> {

    private final List<KeyValue<K, V>> entries;
    private int next;

    ListKeyValueIterator(List<KeyValue<K, V>> entries) {
        this.entries = entries;
    }

    static <K, V> ListKeyValueIterator<K, V> of(Map<K, V> map) {
        return new ListKeyValueIterator<>(entriesOf(map));
    }

    static <K, V> List<KeyValue<K, V>> entriesOf(Map<K, V> map) {
        List<KeyValue<K, V>> entries = new ArrayList<>(map.size());
        map.forEach((key, value) -> entries.add(KeyValue.pair(key, value)));
        return entries;
    }

    @Override
    public boolean hasNext() {
        return next < entries.size();
    }

    @Override
    public KeyValue<K, V> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return entries.get(next++);
    }

    @Override
    public K peekNextKey() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return entries.get(next).key;
    }

    @Override
    public void close() {
        // nothing held open
    }
}
