package io.spindle.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Interactive queries on this instance's state stores. One instance holds every key: the input topics
 * and their repartition topics have one partition each (see {@code Topics.ALL}).
 */
@ApplicationScoped
public class StoreQueries {

    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    @Inject
    KafkaStreams streams;

    @Inject
    MetricsConfig config;

    public List<RunSummary> runs() {
        return this.<RunSummary, List<RunSummary>>query(TopologyProducer.RUN_SUMMARIES_STORE, StoreQueries::values);
    }

    public RunSummary run(String run) {
        RunSummary summary = this.<RunSummary, RunSummary>query(TopologyProducer.RUN_SUMMARIES_STORE, store -> store.get(run));
        if (summary == null) {
            throw new UnknownKeyException("run", run);
        }
        return summary;
    }

    public List<WorkerCapacity> workers() {
        return this.<WorkerCapacity, List<WorkerCapacity>>query(TopologyProducer.WORKER_CAPACITY_STORE, StoreQueries::values);
    }

    public WorkerCapacity worker(String worker) {
        WorkerCapacity capacity = this.<WorkerCapacity, WorkerCapacity>query(TopologyProducer.WORKER_CAPACITY_STORE,
                store -> store.get(worker));
        if (capacity == null) {
            throw new UnknownKeyException("worker", worker);
        }
        return capacity;
    }

    /** Every value, in key order. */
    private static <V> List<V> values(ReadOnlyKeyValueStore<String, V> store) {
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> entries = store.all()) {
            entries.forEachRemaining((KeyValue<String, V> entry) -> values.add(entry.value));
        }
        return values;
    }

    /**
     * Runs {@code read} on the store once Kafka Streams can serve it. The store handle is lazy, so both the
     * lookup and the read itself can find the instance starting, restoring or rebalancing: the whole query
     * is retried for up to {@code spindle.metrics.store-wait}, then fails with {@link StoresNotReadyException}.
     */
    private <V, R> R query(String storeName, Function<ReadOnlyKeyValueStore<String, V>, R> read) {
        long deadline = System.nanoTime() + config.storeWait().toNanos();
        while (true) {
            try {
                ReadOnlyKeyValueStore<String, V> store = streams.store(
                        StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.keyValueStore()));
                return read.apply(store);
            } catch (InvalidStateStoreException notYet) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new StoresNotReadyException("state store '" + storeName + "' is not queryable yet (Kafka Streams is "
                            + streams.state() + "); retry shortly");
                }
                LockSupport.parkNanos(RETRY_NANOS);
            }
        }
    }
}
