package io.spindle.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strimzi.api.kafka.model.bridge.KafkaBridge;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;

import java.util.List;
import java.util.Map;

/**
 * One Kubernetes resource: its raw tree and its typed model. Every kind Spindle ships maps to a model
 * class (fabric8 for Kubernetes, Strimzi's api for Kafka, {@link Keda} records for KEDA); a kind without
 * one, a wrong apiVersion, a field the model does not know or a value of the wrong type fails the parse.
 */
record Manifest(String source, JsonNode tree, Object model) {

    private record Kind(String apiVersion, Class<?> type) {
    }

    private static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("Namespace", new Kind("v1", Namespace.class)),
            Map.entry("ConfigMap", new Kind("v1", ConfigMap.class)),
            Map.entry("Secret", new Kind("v1", Secret.class)),
            Map.entry("Service", new Kind("v1", Service.class)),
            Map.entry("PersistentVolumeClaim", new Kind("v1", PersistentVolumeClaim.class)),
            Map.entry("Deployment", new Kind("apps/v1", Deployment.class)),
            Map.entry("StatefulSet", new Kind("apps/v1", StatefulSet.class)),
            Map.entry("Kafka", new Kind("kafka.strimzi.io/v1", Kafka.class)),
            Map.entry("KafkaNodePool", new Kind("kafka.strimzi.io/v1", KafkaNodePool.class)),
            Map.entry("KafkaTopic", new Kind("kafka.strimzi.io/v1", KafkaTopic.class)),
            Map.entry("KafkaUser", new Kind("kafka.strimzi.io/v1", KafkaUser.class)),
            Map.entry("KafkaBridge", new Kind("kafka.strimzi.io/v1", KafkaBridge.class)),
            Map.entry("ScaledObject", new Kind(Keda.API_VERSION, Keda.ScaledObject.class)),
            Map.entry("TriggerAuthentication", new Kind(Keda.API_VERSION, Keda.TriggerAuthentication.class)));

    /** Parses and type-checks one resource; the message names the file, the resource and the bad field. */
    static Manifest parse(String source, JsonNode tree) {
        String kind = tree.path("kind").asText("");
        String name = tree.path("metadata").path("name").asText("");
        String where = source + " " + kind + "/" + name;
        Kind known = KINDS.get(kind);
        if (known == null) {
            throw new AssertionError(where + ": kind '" + kind + "' has no typed model here; known: " + KINDS.keySet());
        }
        if (!known.apiVersion.equals(tree.path("apiVersion").asText())) {
            throw new AssertionError(where + ": apiVersion '" + tree.path("apiVersion").asText()
                    + "', expected " + known.apiVersion);
        }
        if (name.isEmpty()) {
            throw new AssertionError(where + ": metadata.name is missing");
        }
        Object model;
        try {
            model = Yaml.STRICT.treeToValue(tree, known.type);
        } catch (JsonProcessingException e) {
            throw new AssertionError(where + ": does not parse as " + known.type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
        List<String> unknown = UnknownFields.in(model);
        if (!unknown.isEmpty()) {
            throw new AssertionError(where + ": fields unknown to " + known.type.getSimpleName() + ": " + unknown);
        }
        return new Manifest(source, tree, model);
    }

    String kind() {
        return tree.path("kind").asText();
    }

    String name() {
        return tree.path("metadata").path("name").asText();
    }

    /** kind/name, unique within a rendering. */
    String id() {
        return kind() + "/" + name();
    }

    <T> T as(Class<T> type) {
        return type.cast(model);
    }
}
