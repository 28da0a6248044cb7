package io.spindle.metrics;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;

import java.util.Map;
import java.util.function.Function;

/**
 * Builds a live store ({@link LiveKeyValueStore}, {@link LiveWindowStore}) around the store of one of Kafka Streams'
 * own builders: name, changelog and its config are the inner builder's, so Kafka Streams creates and restores the
 * changelog as usual. No record cache: the live store is the cache.
 */
final class LiveStoreBuilder<I extends StateStore, T extends StateStore> implements StoreBuilder<T> {

    private StoreBuilder<I> inner;
    private final Function<I, T> wrap;

    LiveStoreBuilder(StoreBuilder<I> inner, Function<I, T> wrap) {
        this.inner = inner.withCachingDisabled();
        this.wrap = wrap;
    }

    @Override
    public StoreBuilder<T> withCachingEnabled() {
        throw new UnsupportedOperationException("a live store is its own cache");
    }

    @Override
    public StoreBuilder<T> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<T> withLoggingEnabled(Map<String, String> config) {
        inner = inner.withLoggingEnabled(config);
        return this;
    }

    @Override
    public StoreBuilder<T> withLoggingDisabled() {
        inner = inner.withLoggingDisabled();
        return this;
    }

    @Override
    public T build() {
        return wrap.apply(inner.build());
    }

    @Override
    public Map<String, String> logConfig() {
        return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
        return inner.loggingEnabled();
    }

    @Override
    public String name() {
        return inner.name();
    }
}
