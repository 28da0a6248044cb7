package io.spindle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.contracts.Topics;
import io.strimzi.api.kafka.model.bridge.KafkaBridge;
import io.strimzi.api.kafka.model.common.authentication.KafkaClientAuthenticationScramSha512;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each service's KafkaUser grants exactly what the service does: its contract topics (DESIGN §2), its
 * consumer groups, its Kafka Streams internal topics and, under exactly_once_v2, its transactional ids;
 * and the code uses no topic outside its contract. KEDA's user may only describe what its triggers read.
 */
class KafkaUserAclTest {

    /** One granted operation: "topic:corpus.documents(literal) Read". */
    static String acl(String type, String name, String pattern, String operation) {
        return type + ":" + name + "(" + pattern + ") " + operation;
    }

    private static void grant(Set<String> acls, String type, String name, String pattern, String... operations) {
        for (String op : operations) {
            acls.add(acl(type, name, pattern, op));
        }
    }

    static Set<String> expected(SpindleService s) {
        Set<String> acls = new TreeSet<>();
        s.reads.forEach(t -> grant(acls, "topic", t, "literal", "Read", "Describe"));
        s.writes.forEach(t -> grant(acls, "topic", t, "literal", "Write", "Describe"));
        s.streamsApplicationId().ifPresent(app -> {
            // Changelog and repartition topics are named "<application.id>-..."; Streams creates them,
            // reads and writes them, and purges repartition records.
            grant(acls, "topic", app + "-", "prefix", "Create", "Delete", "Describe", "DescribeConfigs", "Read", "Write");
            if (s.exactlyOnce()) {
                grant(acls, "transactionalId", app + "-", "prefix", "Write", "Describe");
            }
        });
        if (s.groupPrefix().isPresent()) {
            grant(acls, "group", s.groupPrefix().get(), "prefix", "Read", "Describe");
        } else {
            s.consumerGroups().forEach(g -> grant(acls, "group", g, "literal", "Read", "Describe"));
        }
        return acls;
    }

    static Set<String> actual(K8s k8s, String user) {
        KafkaUser model = k8s.get(KafkaUser.class, user);
        assertEquals("simple", model.getSpec().getAuthorization().getType(), user + ": simple authorization");
        JsonNode rules = k8s.manifests.stream().filter(m -> m.model() == model).findFirst().orElseThrow()
                .tree().path("spec").path("authorization").path("acls");
        Set<String> acls = new TreeSet<>();
        for (JsonNode rule : rules) {
            JsonNode resource = rule.path("resource");
            assertTrue(rule.path("type").isMissingNode() || rule.path("type").asText().equals("allow"),
                    user + ": allow rules only");
            assertTrue(rule.path("operation").isMissingNode(), user + ": 'operations' (v1), not 'operation'");
            for (JsonNode op : rule.path("operations")) {
                String operation = AclOperation.forValue(op.asText()).toValue();
                acls.add(acl(resource.path("type").asText(), resource.path("name").asText(),
                        resource.path("patternType").asText("literal"), operation));
            }
        }
        return acls;
    }

    static void assertSameAcls(String where, Set<String> expected, Set<String> actual) {
        if (!expected.equals(actual)) {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(actual);
            Set<String> extra = new TreeSet<>(actual);
            extra.removeAll(expected);
            fail(where + " ACLs differ from what the service uses\n  missing: " + missing + "\n  not used: " + extra);
        }
    }

    @TestFactory
    Stream<DynamicTest> eachServiceUserGrantsExactlyWhatTheServiceUses() {
        return K8s.all().flatMap(k8s -> Arrays.stream(SpindleService.values()).map(s ->
                DynamicTest.dynamicTest(k8s.variant + " " + s.kafkaUser(), () ->
                        assertSameAcls("k8s/" + k8s.variant + " KafkaUser " + s.kafkaUser(), expected(s),
                                actual(k8s, s.kafkaUser())))));
    }

    @TestFactory
    Stream<DynamicTest> theCodeUsesNoTopicOutsideItsContract() {
        Set<String> registry = Topics.ALL.stream().map(Topics.TopicSpec::name).collect(Collectors.toSet());
        return Arrays.stream(SpindleService.values()).map(s -> DynamicTest.dynamicTest(s.module, () -> {
            assertTrue(registry.containsAll(s.contractTopics()), s.module + " contract names a topic not in Topics.ALL: "
                    + s.contractTopics());
            Set<String> outside = new TreeSet<>(s.topicsUsed());
            outside.removeAll(s.contractTopics());
            assertTrue(outside.isEmpty(), s.module + " uses topics its KafkaUser does not grant: " + outside
                    + " (contract: " + s.contractTopics() + "); add them to SpindleService and k8s/base/users.yaml");
            assertTrue(registry.containsAll(s.topicsUsed()), s.module + " names a topic outside Topics.ALL: " + s.topicsUsed());
            s.groupPrefix().ifPresent(prefix -> s.consumerGroups().forEach(g ->
                    assertTrue(g.startsWith(prefix), s.module + " group " + g + " outside its prefix " + prefix)));
        }));
    }

    /** KEDA's Kafka scaler reads committed and end offsets: Describe on each trigger's group and topic. */
    @TestFactory
    Stream<DynamicTest> kedasUserDescribesExactlyWhatItsTriggersRead() {
        return K8s.all().map(k8s -> DynamicTest.dynamicTest(k8s.variant, () -> {
            Set<String> expected = new TreeSet<>();
            for (Keda.ScaledObject so : KedaTest.scaledObjects(k8s)) {
                for (Keda.Trigger t : so.spec().triggers()) {
                    if (t.type().equals("kafka")) {
                        grant(expected, "topic", t.metadata().get("topic"), "literal", "Describe");
                        grant(expected, "group", t.metadata().get("consumerGroup"), "literal", "Describe");
                    }
                }
            }
            assertSameAcls("k8s/" + k8s.variant + " KafkaUser spindle-keda", expected, actual(k8s, "spindle-keda"));
        }));
    }

    @Test
    void thereAreNoOtherUsers() {
        Set<String> users = K8s.rendered("base").all(KafkaUser.class).stream().map(u -> u.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = Arrays.stream(SpindleService.values()).map(SpindleService::kafkaUser)
                .collect(Collectors.toCollection(TreeSet::new));
        expected.add("spindle-keda");
        expected.add(FEEDER);
        assertEquals(expected, users);
    }

    private static final String FEEDER = "spindle-feeder";

    /** Outside producers (kcat through the port-forward listener, the Kafka Bridge) may only append documents. */
    @TestFactory
    Stream<DynamicTest> theFeederMayOnlyWriteDocuments() {
        return K8s.all().map(k8s -> DynamicTest.dynamicTest(k8s.variant, () -> {
            Set<String> expected = new TreeSet<>();
            grant(expected, "topic", Topics.CORPUS_DOCUMENTS, "literal", "Write", "Describe");
            assertSameAcls("k8s/" + k8s.variant + " KafkaUser " + FEEDER, expected, actual(k8s, FEEDER));
            KafkaBridge bridge = k8s.all(KafkaBridge.class).get(0);
            assertEquals(k8s.bootstrapServers(), bridge.getSpec().getBootstrapServers(), "bridge bootstrap");
            var auth = (KafkaClientAuthenticationScramSha512) bridge.getSpec().getAuthentication();
            assertEquals(FEEDER, auth.getUsername(), "the bridge logs in as the feeder");
            assertEquals(FEEDER, auth.getPasswordSecret().getSecretName(), "with the feeder's Secret");
        }));
    }

    @Test
    void aGrantTheServiceDoesNotUseIsReported() {
        Set<String> expected = expected(SpindleService.METRICS);
        Set<String> widened = new TreeSet<>(expected);
        widened.add(acl("topic", Topics.CORPUS_DOCUMENTS, "literal", "Read"));
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> assertSameAcls("metrics", expected, widened));
        assertTrue(e.getMessage().contains("not used: [topic:corpus.documents(literal) Read]"), e.getMessage());
        assertEquals(SpindleService.METRICS.exactlyOnce(), expected.stream().anyMatch(a -> a.contains("transactionalId")),
                "a transactional id exactly when the service runs exactly_once_v2");
    }
}
