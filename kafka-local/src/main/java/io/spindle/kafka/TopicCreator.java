package io.spindle.kafka;

import io.spindle.contracts.Topics.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates topics from {@link TopicSpec}s on any broker (embedded, Testcontainers, remote). Idempotent: a topic
 * that exists already is left as it is, except that it is grown when it has fewer partitions than asked for
 * (Kafka cannot shrink a topic; that case is logged). Returns once every partition has a leader, so a producer
 * that starts right after does not see UNKNOWN_TOPIC_OR_PARTITION.
 */
public final class TopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TopicCreator() {
    }

    /** Creates {@code specs} on the broker at {@code bootstrapServers}. */
    public static void createTopics(String bootstrapServers, Collection<TopicSpec> specs) {
        createTopics(bootstrapServers, specs, Map.of());
    }

    /**
     * Creates {@code specs} on the broker at {@code bootstrapServers}; {@code partitionOverrides} maps a topic name
     * to the partition count to use instead of the spec's.
     */
    public static void createTopics(String bootstrapServers, Collection<TopicSpec> specs,
                                    Map<String, Integer> partitionOverrides) {
        createTopics(bootstrapServers, Map.of(), specs, partitionOverrides);
    }

    /** As above, with client settings such as SASL credentials ({@link EmbeddedKafkaBroker#clientProperties()}). */
    public static void createTopics(String bootstrapServers, Map<String, String> clientProperties,
                                    Collection<TopicSpec> specs, Map<String, Integer> partitionOverrides) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "spindle-topic-creator");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        try (Admin admin = Admin.create(props)) {
            createTopics(admin, specs, partitionOverrides);
        }
    }

    /** As {@link #createTopics(String, Collection, Map)} with a caller-owned admin client. */
    public static void createTopics(Admin admin, Collection<TopicSpec> specs, Map<String, Integer> partitionOverrides) {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        List<NewTopic> newTopics = specs.stream().map(spec -> {
            int partitions = partitionOverrides.getOrDefault(spec.name(), spec.partitions());
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions for " + spec.name() + " must be >= 1, got " + partitions);
            }
            wanted.put(spec.name(), partitions);
            return new NewTopic(spec.name(), partitions, (short) 1).configs(spec.configs());
        }).toList();
        try {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
            for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
                try {
                    e.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.debug("created topic {} ({} partitions)", e.getKey(), wanted.get(e.getKey()));
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex;
                    }
                }
            }
            growIfNeeded(admin, wanted);
            awaitLeaders(admin, wanted.keySet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + wanted.keySet() + ": " + e, e);
        }
    }

    private static void growIfNeeded(Admin admin, Map<String, Integer> wanted) throws Exception {
        Map<String, TopicDescription> current = admin.describeTopics(wanted.keySet()).allTopicNames()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, NewPartitions> grow = new HashMap<>();
        current.forEach((name, description) -> {
            int have = description.partitions().size();
            int want = wanted.get(name);
            if (have < want) {
                grow.put(name, NewPartitions.increaseTo(want));
            } else if (have > want) {
                LOG.warn("topic {} exists with {} partitions, more than the {} asked for; Kafka cannot shrink a topic",
                        name, have, want);
            }
        });
        if (!grow.isEmpty()) {
            LOG.info("growing topics {}", grow.keySet());
            admin.createPartitions(grow).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void awaitLeaders(Admin admin, Collection<String> names) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = d.size() == names.size() && d.values().stream()
                        .flatMap(t -> t.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " have no leader after " + TIMEOUT);
            }
            Thread.sleep(50);
        }
    }
}
