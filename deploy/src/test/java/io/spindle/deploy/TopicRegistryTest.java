package io.spindle.deploy;

import io.spindle.contracts.Topics;
import io.spindle.contracts.Topics.TopicSpec;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The topics k8s/ and docker-compose.yml create are exactly contracts' {@code Topics.ALL}: same names,
 * partitions, cleanup policy and retention.
 */
class TopicRegistryTest {

    /** One line per topic, so a failure shows the lines that differ. */
    static String line(String name, int partitions, String cleanupPolicy, String retentionMs, String maxMessageBytes) {
        return name + " partitions=" + partitions + " cleanup.policy=" + cleanupPolicy + " retention.ms=" + retentionMs
                + " max.message.bytes=" + (maxMessageBytes == null ? "broker default" : maxMessageBytes);
    }

    static Set<String> registry() {
        return Topics.ALL.stream().map(TopicRegistryTest::line).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String line(TopicSpec spec) {
        Map<String, String> configs = spec.configs();
        return line(spec.name(), spec.partitions(), configs.get("cleanup.policy"), configs.get("retention.ms"),
                configs.get("max.message.bytes"));
    }

    static void assertSameTopics(String where, Set<String> actual) {
        Set<String> registry = registry();
        if (!registry.equals(actual)) {
            Set<String> missing = new TreeSet<>(registry);
            missing.removeAll(actual);
            Set<String> extra = new TreeSet<>(actual);
            extra.removeAll(registry);
            fail(where + " does not match contracts' Topics.ALL\n  in the registry, not in " + where + ": "
                    + missing + "\n  in " + where + ", not in the registry: " + extra);
        }
    }

    @TestFactory
    Stream<DynamicTest> kafkaTopicsEqualTheRegistry() {
        return K8s.all().map(k8s -> DynamicTest.dynamicTest(k8s.variant, () -> {
            Set<String> lines = new TreeSet<>();
            for (KafkaTopic topic : k8s.all(KafkaTopic.class)) {
                String name = topic.getSpec().getTopicName() != null
                        ? topic.getSpec().getTopicName() : topic.getMetadata().getName();
                Map<String, Object> config = topic.getSpec().getConfig();
                Set<String> registryKeys = Set.of("cleanup.policy", "retention.ms", "max.message.bytes");
                assertTrue(registryKeys.containsAll(config.keySet()),
                        k8s.variant + ": topic " + name + " sets the registry's configs, no others: " + config.keySet());
                Object maxMessageBytes = config.get("max.message.bytes");
                assertTrue(lines.add(line(name, topic.getSpec().getPartitions(),
                        String.valueOf(config.get("cleanup.policy")), String.valueOf(config.get("retention.ms")),
                        maxMessageBytes == null ? null : String.valueOf(maxMessageBytes))),
                        k8s.variant + ": topic " + name + " twice");
            }
            assertSameTopics("k8s/" + k8s.variant + " KafkaTopics", lines);
        }));
    }

    /** Replication fits the cluster it runs on (the local overlay has one broker). */
    @TestFactory
    Stream<DynamicTest> replicationFitsTheBrokers() {
        return K8s.all().map(k8s -> DynamicTest.dynamicTest(k8s.variant, () -> {
            int brokers = k8s.brokers();
            Map<String, Object> config = k8s.kafka().getSpec().getKafka().getConfig();
            for (String key : new String[]{"default.replication.factor", "offsets.topic.replication.factor",
                    "transaction.state.log.replication.factor"}) {
                assertTrue(((Number) config.get(key)).intValue() <= brokers, k8s.variant + ": " + key + " > " + brokers + " brokers");
            }
            int minIsr = ((Number) config.get("min.insync.replicas")).intValue();
            for (KafkaTopic topic : k8s.all(KafkaTopic.class)) {
                int replicas = topic.getSpec().getReplicas();
                assertTrue(replicas <= brokers && minIsr <= replicas,
                        k8s.variant + ": topic " + topic.getSpec().getTopicName() + " replicas " + replicas
                                + " with " + brokers + " brokers and min.insync.replicas " + minIsr);
            }
            assertEquals(false, config.get("auto.create.topics.enable"), "topics come from the registry only");
            // The port-forward listener: every broker advertises loopback and a port of its own.
            var portForward = k8s.kafka().getSpec().getKafka().getListeners().stream()
                    .filter(l -> l.getName().equals("portfwd")).findFirst().orElseThrow().getConfiguration().getBrokers();
            assertTrue(portForward.size() >= brokers, k8s.variant + ": every broker has a forwarded address");
            assertEquals(portForward.size(), portForward.stream().map(b -> b.getAdvertisedPort()).distinct().count(),
                    "distinct forwarded ports");
            portForward.forEach(b -> assertEquals("127.0.0.1", b.getAdvertisedHost(), "loopback only"));
        }));
    }

    @Test
    void composeCreatesExactlyTheRegistry() {
        assertSameTopics("docker-compose.yml service 'topics'", Compose.load().topics());
    }

    @Test
    void theKafkaClusterIsKraftWithNodePools() {
        Kafka kafka = K8s.rendered("base").kafka();
        assertTrue(kafka.getSpec().getZookeeper() == null, "KRaft: no ZooKeeper");
        assertEquals(Compose.load().kafkaVersion(), kafka.getSpec().getKafka().getVersion(),
                "the same Kafka version in k8s and compose (the clients')");
        assertTrue(K8s.rendered("base").brokers() >= 1, "a node pool with the broker role");
    }
}
