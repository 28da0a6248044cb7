package io.spindle.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KEDA has no Java model: these records are the part of its {@code keda.sh/v1alpha1} schema Spindle uses
 * (field names as in KEDA's CRDs). Parsed with {@link Yaml#STRICT}, so any other field fails, and trigger
 * metadata is checked against the keys KEDA documents for each scaler type.
 */
final class Keda {

    static final String API_VERSION = "keda.sh/v1alpha1";

    private Keda() {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record ScaledObjectSpec(ScaleTargetRef scaleTargetRef, Integer pollingInterval, Integer cooldownPeriod,
                            Integer initialCooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount,
                            Integer maxReplicaCount, List<Trigger> triggers) {
    }

    /** apiVersion/kind default to apps/v1 Deployment. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record Trigger(String type, String name, String metricType, Boolean useCachedMetrics,
                   Map<String, String> metadata, AuthenticationRef authenticationRef) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record AuthenticationRef(String name, String kind) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, TriggerAuthenticationSpec spec) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record TriggerAuthenticationSpec(List<SecretTargetRef> secretTargetRef, List<EnvTargetRef> env) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record SecretTargetRef(String parameter, String name, String key) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record EnvTargetRef(String parameter, String name, String containerName) {
    }

    /** Scaler types Spindle uses, with the metadata keys KEDA's docs list for them; the first ones are required. */
    enum Scaler {
        KAFKA("kafka", Set.of("bootstrapServers", "consumerGroup"),
                Set.of("topic", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
                        "allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset",
                        "limitToPartitionsWithLag", "partitionLimitation", "version", "sasl", "tls")),
        METRICS_API("metrics-api", Set.of("url", "valueLocation", "targetValue"),
                Set.of("activationTargetValue", "format", "method", "authMode", "unsafeSsl"));

        final String type;
        final Set<String> required;
        final Set<String> optional;

        Scaler(String type, Set<String> required, Set<String> optional) {
            this.type = type;
            this.required = required;
            this.optional = optional;
        }

        static Scaler of(String type) {
            for (Scaler s : values()) {
                if (s.type.equals(type)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("scaler type '" + type + "' is not one Spindle's schema knows");
        }
    }
}
