package io.spindle.metrics;

import com.fasterxml.jackson.core.type.TypeReference;
import io.spindle.contracts.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Interactive queries on the state stores. Runs are spread over the metrics-service instances by the
 * {@code events-by-run} partitions: {@link #ownerOf} says whether this instance holds a run or which one does
 * (from Kafka Streams metadata and each instance's {@code application.server}); the {@code local*} methods read
 * this instance's stores only.
 */
@ApplicationScoped
public class StoreQueries {

    private static final TypeReference<List<RunSummary>> SUMMARIES = new TypeReference<>() {
    };
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    @Inject
    KafkaStreams streams;

    @Inject
    MetricsConfig config;

    @Inject
    Forwarder forwarder;

    /** This instance's {@code host:port} as other instances reach it; absent for a single instance. */
    @ConfigProperty(name = "kafka-streams.application.server")
    Optional<String> applicationServer;

    /** The instance that holds {@code run}, or empty when it is this one (or when there is only this one). */
    public Optional<HostInfo> ownerOf(String run) {
        if (applicationServer.isEmpty()) {
            return Optional.empty();
        }
        HostInfo self = self();
        return retry(TopologyProducer.RUN_SUMMARIES_STORE, () -> {
            KeyQueryMetadata metadata = streams.queryMetadataForKey(TopologyProducer.RUN_SUMMARIES_STORE, run,
                    Serdes.String().serializer());
            if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
                throw new InvalidStateStoreException("no metadata for run " + run + " yet");
            }
            return metadata.activeHost().equals(self) ? Optional.<HostInfo>empty() : Optional.of(metadata.activeHost());
        });
    }

    /** The other instances of this application (for questions about all runs). */
    public List<HostInfo> otherInstances() {
        if (applicationServer.isEmpty()) {
            return List.of();
        }
        HostInfo self = self();
        List<HostInfo> others = new ArrayList<>();
        for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
            if (!instance.hostInfo().equals(self)) {
                others.add(instance.hostInfo());
            }
        }
        return others;
    }

    HostInfo self() {
        return HostInfo.buildFromEndpoint(applicationServer.orElseThrow());
    }

    /** Every run, ordered by run id: this instance's, and unless {@code localOnly} every other instance's. */
    public List<RunSummary> allRuns(boolean localOnly) {
        List<RunSummary> runs = new ArrayList<>(localRuns());
        if (!localOnly) {
            for (HostInfo other : otherInstances()) {
                runs.addAll(readSummaries(forwarder.getLocal(other, "/api/runs")));
            }
        }
        runs.sort(Comparator.comparing(RunSummary::run));
        return runs;
    }

    private static List<RunSummary> readSummaries(String json) {
        try {
            return Json.MAPPER.readValue(json, SUMMARIES);
        } catch (IOException e) {
            throw new UncheckedIOException("bad run list from another instance", e);
        }
    }

    public List<RunSummary> localRuns() {
        return retry(TopologyProducer.RUN_SUMMARIES_STORE, () -> {
            List<RunSummary> values = new ArrayList<>();
            try (KeyValueIterator<String, RunSummary> entries = summaries().all()) {
                entries.forEachRemaining((KeyValue<String, RunSummary> entry) -> values.add(entry.value));
            }
            return values;
        });
    }

    /** The run from this instance's store; {@link UnknownKeyException} when it has none. */
    public RunSummary localRun(String run) {
        RunSummary summary = retry(TopologyProducer.RUN_SUMMARIES_STORE, () -> summaries().get(run));
        if (summary == null) {
            throw new UnknownKeyException("run", run);
        }
        return summary;
    }

    /** The run's events with event time in [from, to], oldest first. */
    public List<RunEvent> localEvents(String run, long from, long to) {
        return retry(TopologyProducer.RUN_EVENTS_STORE, () -> {
            ReadOnlyWindowStore<String, RunEvent> store = store(TopologyProducer.RUN_EVENTS_STORE, QueryableStoreTypes.windowStore());
            List<RunEvent> events = new ArrayList<>();
            try (WindowStoreIterator<RunEvent> found = store.fetch(run, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))) {
                found.forEachRemaining(entry -> events.add(entry.value));
            }
            return events;
        });
    }

    /** The run's windows of one size whose start is in [from, to], oldest first. */
    public List<KeyValue<Long, RunWindow>> localWindows(String storeName, String run, long from, long to) {
        return retry(storeName, () -> {
            ReadOnlyWindowStore<String, RunWindow> store = store(storeName, QueryableStoreTypes.windowStore());
            List<KeyValue<Long, RunWindow>> windows = new ArrayList<>();
            try (WindowStoreIterator<RunWindow> found = store.fetch(run, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))) {
                found.forEachRemaining(windows::add);
            }
            return windows;
        });
    }

    private ReadOnlyKeyValueStore<String, RunSummary> summaries() {
        return store(TopologyProducer.RUN_SUMMARIES_STORE, QueryableStoreTypes.keyValueStore());
    }

    private <T> T store(String name, QueryableStoreType<T> type) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, type));
    }

    /**
     * Runs {@code read} once Kafka Streams can serve the store. Both the lookup and the read can find the instance
     * starting, restoring or rebalancing, so the whole query is retried for up to {@code spindle.metrics.store-wait},
     * then fails with {@link StoresNotReadyException} (503).
     */
    private <R> R retry(String storeName, Supplier<R> read) {
        long deadline = System.nanoTime() + config.storeWait().toNanos();
        while (true) {
            try {
                return read.get();
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
