package io.spindle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker-compose.yml: valid for docker-compose, and consistent with the services' own configuration. */
class ComposeTest {

    private final Compose compose = Compose.load();

    @Test
    void dockerComposeAcceptsTheFile() {
        Tools.assumeOnPath("docker-compose");
        Tools.Result result = Tools.run(List.of("docker-compose", "-f", Compose.FILE, "config", "-q"));
        assertEquals(0, result.exitCode(), "docker-compose config -q:\n" + result.output());
    }

    @Test
    void kafkaIsTheOfficialImageOfTheClientsVersionInKraftMode() {
        assertEquals(Compose.clientVersion(), compose.kafkaVersion(), "broker image = kafka-clients version");
        Map<String, String> env = compose.environment("kafka");
        assertEquals("broker,controller", env.get("KAFKA_PROCESS_ROLES"), "KRaft combined mode");
        assertEquals("false", env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"), "topics come from the registry only");
        for (String key : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertEquals("1", env.get(key), key + " on one node, or exactly_once_v2 cannot start");
        }
        compose.service("kafka").path("ports").forEach(p ->
                assertTrue(p.asText().startsWith("127.0.0.1:"), "host ports bound to loopback only: " + p.asText()));
    }

    @Test
    void topicsAreCreatedBeforeAnyServiceStarts() {
        assertEquals(compose.kafkaVersion(), compose.service("topics").path("image").asText().split(":")[1]);
        for (SpindleService s : SpindleService.values()) {
            assertEquals("service_completed_successfully",
                    compose.service(s.shortName).path("depends_on").path("topics").path("condition").asText(),
                    s.shortName + " starts after the topics exist");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyServiceIsConfiguredLikeItsApplicationProperties() {
        return Arrays.stream(SpindleService.values()).map(s -> DynamicTest.dynamicTest(s.shortName, () -> {
            JsonNode service = compose.service(s.shortName);
            Map<String, String> env = compose.environment(s.shortName);
            assertEquals(s.image(), service.path("image").asText(), s.shortName + " image");
            assertEquals(".", service.path("build").path("context").asText(), s.shortName + " builds from the root");
            String dockerfile = service.path("build").path("dockerfile").asText();
            assertEquals(Kustomize.rel(s.dockerfile()), dockerfile, s.shortName + " Dockerfile");
            assertTrue(Files.isRegularFile(s.dockerfile()), dockerfile + " exists");

            List<String> ports = new ArrayList<>();
            service.path("expose").forEach(p -> ports.add(p.asText()));
            service.path("ports").forEach(p -> ports.add(p.asText().replaceAll("^.*:", "")));
            assertEquals(List.of(String.valueOf(s.httpPort())), ports, s.shortName + " port = quarkus.http.port");
            service.path("ports").forEach(p ->
                    assertTrue(p.asText().startsWith("127.0.0.1:"), "loopback only: " + p.asText()));

            assertEquals("kafka:" + plaintextPort(), env.get("KAFKA_BOOTSTRAP_SERVERS"), s.shortName + " bootstrap");
            Deployments.assertKnownSpindleKeys(s, env.keySet(), "docker-compose.yml " + s.shortName);
            Deployments.assertWritableDirsAndDjl(s, env, Set.of(), "docker-compose.yml " + s.shortName);
            // Checkpoints outlive the container: each *CHECKPOINT_DIR is a named volume.
            env.forEach((name, dir) -> {
                if (name.endsWith("CHECKPOINT_DIR")) {
                    boolean onVolume = false;
                    for (JsonNode v : service.path("volumes")) {
                        String[] parts = v.asText().split(":");
                        onVolume |= parts.length >= 2 && parts[1].equals(dir) && compose.root().path("volumes").has(parts[0]);
                    }
                    assertTrue(onVolume, s.shortName + ": " + name + "=" + dir + " is a named volume");
                }
            });
            s.groupIdKey().ifPresent(key -> {
                String value = env.get(SpindleService.envName(key));
                if (value != null) {
                    assertTrue(s.consumerGroups().contains(value), s.shortName + " group " + value
                            + " is the group the service and its ACLs use: " + s.consumerGroups());
                }
            });
        }));
    }

    @Test
    void checkpointsHaveAVolumeAndTheDashboardIsPublished() {
        assertTrue(compose.root().path("volumes").has("checkpoints"), "a checkpoints volume");
        String dir = compose.environment("trainer").get("SPINDLE_TRAINER_CHECKPOINT_DIR");
        assertTrue(compose.service("trainer").path("volumes").toString().contains("\"checkpoints:" + dir + "\""),
                "the trainer writes its checkpoints (" + dir + ") to the volume");
        assertEquals("127.0.0.1:8080:8080", compose.service("metrics").path("ports").get(0).asText(),
                "the dashboard (metrics-service) is published");
    }

    @Test
    void theTokenizerScales() {
        JsonNode tokenizer = compose.service("tokenizer");
        assertTrue(tokenizer.path("container_name").isMissingNode() && tokenizer.path("ports").isMissingNode(),
                "no container name or host port, so --scale tokenizer=N works");
    }

    private int plaintextPort() {
        String listeners = compose.environment("kafka").get("KAFKA_ADVERTISED_LISTENERS");
        for (String listener : listeners.split(",")) {
            if (listener.startsWith("PLAINTEXT://kafka:")) {
                return Integer.parseInt(listener.substring("PLAINTEXT://kafka:".length()));
            }
        }
        throw new AssertionError("no PLAINTEXT://kafka:PORT listener advertised: " + listeners);
    }
}
