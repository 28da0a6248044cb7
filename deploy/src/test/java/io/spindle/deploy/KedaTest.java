package io.spindle.deploy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.spindle.contracts.Topics;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KEDA: every ScaledObject and TriggerAuthentication fits the schema ({@link Keda}), targets a workload
 * that exists, reads what the service really consumes, and never scales past the partitions that cap
 * a consumer group.
 */
class KedaTest {

    /** Parameters a Kafka scaler's TriggerAuthentication may set (KEDA docs). */
    private static final Set<String> KAFKA_AUTH_PARAMETERS =
            Set.of("sasl", "username", "password", "tls", "ca", "cert", "key", "keyPassword");

    static List<Keda.ScaledObject> scaledObjects(K8s k8s) {
        return k8s.all(Keda.ScaledObject.class);
    }

    private static Stream<DynamicTest> perVariant(java.util.function.Consumer<K8s> check) {
        return K8s.all().map(k8s -> DynamicTest.dynamicTest(k8s.variant, () -> check.accept(k8s)));
    }

    @TestFactory
    Stream<DynamicTest> scaledObjectsFitTheSchemaAndTargetDeployments() {
        return perVariant(k8s -> {
            Set<String> targets = new TreeSet<>();
            for (Keda.ScaledObject so : scaledObjects(k8s)) {
                String where = k8s.variant + " ScaledObject " + so.metadata().getName() + ": ";
                Keda.ScaleTargetRef ref = so.spec().scaleTargetRef();
                assertTrue(ref.kind() == null || ref.kind().equals("Deployment"), where + "scales a Deployment");
                k8s.get(Deployment.class, ref.name());
                targets.add(ref.name());
                assertTrue(so.spec().minReplicaCount() <= so.spec().maxReplicaCount(), where + "min <= max");
                for (Keda.Trigger t : so.spec().triggers()) {
                    Keda.Scaler scaler = Keda.Scaler.of(t.type());
                    Set<String> unknown = new TreeSet<>(t.metadata().keySet());
                    unknown.removeAll(scaler.required);
                    unknown.removeAll(scaler.optional);
                    assertTrue(unknown.isEmpty(), where + "metadata keys unknown to the " + t.type() + " scaler: " + unknown);
                    assertTrue(t.metadata().keySet().containsAll(scaler.required), where + t.type() + " needs " + scaler.required);
                    if (t.authenticationRef() != null) {
                        assertAuthentication(k8s, t.authenticationRef().name(), where);
                    }
                }
            }
            assertEquals(Set.of("drafter", "tokenizer"), targets,
                    "KEDA scales the tokenizer and the drafter; the trainer (StatefulSet) and metrics scale by hand");
        });
    }

    private static void assertAuthentication(K8s k8s, String name, String where) {
        Keda.TriggerAuthentication auth = k8s.get(Keda.TriggerAuthentication.class, name);
        for (Keda.SecretTargetRef ref : auth.spec().secretTargetRef()) {
            assertTrue(KAFKA_AUTH_PARAMETERS.contains(ref.parameter()), where + "unknown auth parameter " + ref.parameter());
            boolean strimziSecret = k8s.find(KafkaUser.class, ref.name()).isPresent();
            if (strimziSecret) {
                assertEquals("password", ref.key(), where + "Strimzi user Secrets hold 'password'");
            } else {
                Secret secret = k8s.get(Secret.class, ref.name());
                assertTrue(secret.getStringData().containsKey(ref.key()), where + "Secret " + ref.name() + " has " + ref.key());
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> theTokenizerScalesOnItsLagOfCorpusDocuments() {
        return perVariant(k8s -> {
            Keda.ScaledObject so = k8s.get(Keda.ScaledObject.class, "tokenizer");
            Keda.Trigger kafka = so.spec().triggers().stream().filter(t -> t.type().equals("kafka")).findFirst()
                    .orElseThrow(() -> new AssertionError("tokenizer: a kafka trigger"));
            assertEquals(Topics.CORPUS_DOCUMENTS, kafka.metadata().get("topic"), "lag of corpus.documents");
            assertEquals(SpindleService.TOKENIZER.streamsApplicationId().orElseThrow(), kafka.metadata().get("consumerGroup"),
                    "the tokenizer's group (its Streams application id)");
            assertEquals(k8s.bootstrapServers(), kafka.metadata().get("bootstrapServers"));
            int partitions = Topics.spec(Topics.CORPUS_DOCUMENTS).partitions();
            assertTrue(so.spec().maxReplicaCount() <= partitions,
                    "maxReplicaCount " + so.spec().maxReplicaCount() + " <= " + partitions + " partitions of corpus.documents");
        });
    }

    @TestFactory
    Stream<DynamicTest> theDrafterScalesOnIdleWorkersFromMetricsService() {
        return perVariant(k8s -> {
            Keda.ScaledObject so = k8s.get(Keda.ScaledObject.class, "drafter");
            Keda.Trigger api = so.spec().triggers().stream().filter(t -> t.type().equals("metrics-api")).findFirst()
                    .orElseThrow(() -> new AssertionError("drafter: a metrics-api trigger"));
            URI url = URI.create(api.metadata().get("url"));
            assertEquals("metrics", url.getHost().split("\\.")[0], "asks metrics-service");
            assertEquals(SpindleService.METRICS.httpPort(), url.getPort(), "on its port");
            assertTrue(Repo.read("metrics-service/src/main/java/io/spindle/metrics/CapacityResource.java")
                    .contains("@Path(\"" + url.getPath() + "\")"), url.getPath() + " is a metrics-service endpoint");
            assertTrue(api.metadata().get("valueLocation").contains("state==\"IDLE\""), "counts IDLE workers");
            String answer = Repo.read("metrics-service/src/main/java/io/spindle/metrics/WorkerCapacity.java");
            assertTrue(answer.contains("State state") && answer.contains("IDLE"),
                    "the endpoint answers WorkerCapacity records with a state IDLE|BUSY, which the GJSON query counts");
            // One consumer group over capacity.events: replicas beyond its partitions would get no events.
            for (String topic : SpindleService.DRAFTER.incomingChannelTopics()) {
                assertTrue(so.spec().maxReplicaCount() <= Topics.spec(topic).partitions(),
                        "drafter maxReplicaCount <= partitions of " + topic);
            }
            assertNotNull(so.spec().cooldownPeriod(), "a cooldown, so short idle windows do not flap the drafter");
        });
    }
}
