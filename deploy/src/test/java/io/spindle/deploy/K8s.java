package io.spindle.deploy;

import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The renderings of k8s/: the base and each overlay, every resource typed. */
final class K8s {

    /** Directories with a kustomization.yaml, relative to k8s/. */
    static final List<String> VARIANTS = List.of("base", "overlays/local", "overlays/gpu");

    private static final Map<String, K8s> CACHE = new ConcurrentHashMap<>();

    final String variant;
    final List<Manifest> manifests;

    private K8s(String variant, List<Manifest> manifests) {
        this.variant = variant;
        this.manifests = manifests;
    }

    static Path dir(String variant) {
        return Repo.path("k8s/" + variant);
    }

    static K8s rendered(String variant) {
        return CACHE.computeIfAbsent(variant, v -> new K8s(v, Kustomize.render(dir(v)).stream()
                .map(r -> Manifest.parse(v + " <- " + r.source(), r.tree())).toList()));
    }

    static Stream<K8s> all() {
        return VARIANTS.stream().map(K8s::rendered);
    }

    <T> List<T> all(Class<T> type) {
        return manifests.stream().filter(m -> type.isInstance(m.model())).map(m -> m.as(type)).toList();
    }

    <T> Optional<T> find(Class<T> type, String name) {
        return manifests.stream().filter(m -> type.isInstance(m.model()) && m.name().equals(name))
                .map(m -> m.as(type)).findFirst();
    }

    <T> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(
                variant + ": no " + type.getSimpleName() + " named '" + name + "'"));
    }

    Kafka kafka() {
        List<Kafka> clusters = all(Kafka.class);
        if (clusters.size() != 1) {
            throw new AssertionError(variant + ": expected one Kafka cluster, found " + clusters.size());
        }
        return clusters.get(0);
    }

    /** The listener the services use: the SCRAM one. */
    GenericKafkaListener clientListener() {
        return kafka().getSpec().getKafka().getListeners().stream()
                .filter(l -> l.getAuth() != null && "scram-sha-512".equals(l.getAuth().getType()))
                .findFirst().orElseThrow(() -> new AssertionError(variant + ": no scram-sha-512 listener"));
    }

    /** Strimzi's bootstrap Service for a listener: {@code <cluster>-kafka-bootstrap:<port>}. */
    String bootstrapServers() {
        return kafka().getMetadata().getName() + "-kafka-bootstrap:" + clientListener().getPort();
    }

    int brokers() {
        return all(KafkaNodePool.class).stream()
                .filter(p -> p.getSpec().getRoles().stream().anyMatch(r -> r.toValue().equals("broker")))
                .mapToInt(p -> p.getSpec().getReplicas()).sum();
    }
}
