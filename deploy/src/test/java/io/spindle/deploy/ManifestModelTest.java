package io.spindle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every file in k8s/ and every rendering of it parses into typed models, with unknown fields rejected. */
class ManifestModelTest {

    @TestFactory
    Stream<DynamicTest> everyManifestFileParsesIntoTypedModels() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Repo.path("k8s"))) {
            files = walk.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.getFileName().toString().startsWith("kustomization.")).sorted().toList();
        }
        assertTrue(files.size() >= 10, "k8s/ has its manifests: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(Kustomize.rel(f), () -> {
            List<JsonNode> docs = Yaml.documents(f);
            assertTrue(!docs.isEmpty(), Kustomize.rel(f) + " is empty");
            docs.forEach(doc -> Manifest.parse(Kustomize.rel(f), doc));
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyRenderingParsesWithUniqueResources() {
        return K8s.VARIANTS.stream().map(v -> DynamicTest.dynamicTest(v, () -> {
            K8s k8s = K8s.rendered(v);
            Set<String> ids = new HashSet<>();
            k8s.manifests.forEach(m -> assertTrue(ids.add(m.id()), v + ": " + m.id() + " twice"));
            k8s.manifests.stream().filter(m -> !m.kind().equals("Namespace")).forEach(m ->
                    assertEquals("spindle", m.tree().path("metadata").path("namespace").asText(),
                            v + ": " + m.id() + " namespace"));
        }));
    }

    /** Our renderer and kubectl's built-in kustomize agree on every variant (skipped where kubectl is absent). */
    @TestFactory
    Stream<DynamicTest> renderingEqualsKubectlKustomizeWhereInstalled() {
        return K8s.VARIANTS.stream().map(v -> DynamicTest.dynamicTest(v, () -> {
            Tools.assumeOnPath("kubectl");
            Tools.Result result = Tools.run(List.of("kubectl", "kustomize", K8s.dir(v).toString()));
            assertEquals(0, result.exitCode(), "kubectl kustomize " + v + ":\n" + result.output());
            Set<JsonNode> theirs = new HashSet<>(Yaml.documents(result.stdout()));
            Set<JsonNode> ours = new HashSet<>();
            Kustomize.render(K8s.dir(v)).forEach(r -> ours.add(r.tree()));
            Set<String> onlyOurs = ids(ours, theirs);
            Set<String> onlyTheirs = ids(theirs, ours);
            assertTrue(onlyOurs.isEmpty() && onlyTheirs.isEmpty(),
                    v + ": renderings differ; ours only: " + onlyOurs + "; kubectl only: " + onlyTheirs);
        }));
    }

    private static Set<String> ids(Set<JsonNode> a, Set<JsonNode> b) {
        Set<String> ids = new HashSet<>();
        a.stream().filter(n -> !b.contains(n)).forEach(n -> ids.add(
                n.path("kind").asText() + "/" + n.path("metadata").path("name").asText()));
        return ids;
    }

    @Test
    void aMisspelledFieldIsRejected() {
        JsonNode deployment = Yaml.documents("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: x
                          readinesProbe: {httpGet: {path: /q/health/ready, port: 8080}}
                """).get(0);
        AssertionError e = assertThrows(AssertionError.class, () -> Manifest.parse("inline", deployment));
        assertTrue(e.getMessage().contains("readinesProbe"), e.getMessage());

        JsonNode topic = Yaml.documents("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: t}
                spec: {partitons: 3}
                """).get(0);
        e = assertThrows(AssertionError.class, () -> Manifest.parse("inline", topic));
        assertTrue(e.getMessage().contains("partitons"), e.getMessage());

        JsonNode scaled = Yaml.documents("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: s}
                spec: {scaleTargetRef: {name: d}, maxReplicas: 3}
                """).get(0);
        e = assertThrows(AssertionError.class, () -> Manifest.parse("inline", scaled));
        assertTrue(e.getMessage().contains("maxReplicas"), e.getMessage());
    }

    @Test
    void aWrongTypeOrUnknownKindIsRejected() {
        JsonNode badType = Yaml.documents("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: t}
                spec: {partitions: four}
                """).get(0);
        assertThrows(AssertionError.class, () -> Manifest.parse("inline", badType));
        JsonNode unknownKind = Yaml.documents("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                """).get(0);
        assertThrows(AssertionError.class, () -> Manifest.parse("inline", unknownKind));
    }

    @Test
    void aPatchOfAResourceThatDoesNotExistFails(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: real}\n");
        Files.writeString(dir.resolve("patch.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: renamed}\ndata: {a: b}\n");
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [cm.yaml]
                patches:
                  - path: patch.yaml
                """);
        AssertionError e = assertThrows(AssertionError.class, () -> Kustomize.render(dir));
        assertTrue(e.getMessage().contains("ConfigMap/renamed"), e.getMessage());
    }

    @Test
    void strategicMergeMergesContainersByNameAndReplacesCustomResourceLists() {
        var base = (com.fasterxml.jackson.databind.node.ObjectNode) Yaml.documents("""
                spec: {containers: [{name: a, image: i, resources: {limits: {memory: 1Gi}}}, {name: b}],
                       tolerations: [{key: x}]}
                """).get(0);
        var patch = Yaml.documents("""
                spec: {containers: [{name: a, resources: {limits: {nvidia.com/gpu: 1}}}], tolerations: [{key: y}]}
                """).get(0);
        Kustomize.merge(base, patch, true, "");
        assertEquals(Yaml.documents("""
                spec: {containers: [{name: a, image: i, resources: {limits: {memory: 1Gi, nvidia.com/gpu: 1}}}, {name: b}],
                       tolerations: [{key: y}]}
                """).get(0), base);
    }
}
