package io.spindle.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization offline, for the subset of kustomize Spindle's k8s/ uses: {@code resources}
 * (files and directories), {@code namespace}, and {@code patches} holding strategic-merge patches, each
 * applied to its own resource or to every resource its {@code target} selects. The kustomization file is
 * parsed strictly, so a feature outside this subset fails instead of being ignored. Where kubectl is
 * installed the tests also compare this rendering with {@code kubectl kustomize}.
 *
 * <p>Strategic merge as kustomize does it: maps merge, {@code null} deletes, lists of built-in kinds merge
 * by their merge key (containers, env, volumes by name; volumeMounts by mountPath; ports by
 * containerPort), other lists (and every list of a custom resource, which has no merge keys) are replaced.
 */
final class Kustomize {

    @JsonIgnoreProperties(ignoreUnknown = false)
    record Kustomization(String apiVersion, String kind, String namespace, List<String> resources,
                         List<Patch> patches) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record Patch(String path, String patch, Target target) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record Target(String group, String version, String kind, String name, String namespace) {
    }

    private static final Set<String> BUILT_IN = Set.of("Namespace", "ConfigMap", "Secret", "Service",
            "Deployment", "StatefulSet");
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "env", "name", "volumes", "name",
            "volumeMounts", "mountPath", "ports", "containerPort", "envFrom", "\0replace");

    private Kustomize() {
    }

    /** A resource with the file it came from. */
    record Resource(String source, ObjectNode tree) {
        String id() {
            return tree.path("kind").asText() + "/" + tree.path("metadata").path("name").asText();
        }
    }

    static Kustomization kustomization(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        try {
            Kustomization k = Yaml.STRICT.treeToValue(Yaml.document(file), Kustomization.class);
            if (!"kustomize.config.k8s.io/v1beta1".equals(k.apiVersion()) || !"Kustomization".equals(k.kind())) {
                throw new AssertionError(file + ": not a kustomize.config.k8s.io/v1beta1 Kustomization");
            }
            return k;
        } catch (JsonProcessingException e) {
            throw new AssertionError(rel(file) + ": uses kustomize fields outside the rendered subset: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Renders the kustomization in {@code dir}; resources keep their order, as kustomize's do. */
    static List<Resource> render(Path dir) {
        Kustomization k = kustomization(dir);
        Map<String, Resource> out = new LinkedHashMap<>();
        for (String entry : k.resources() == null ? List.<String>of() : k.resources()) {
            Path path = dir.resolve(entry).normalize();
            List<Resource> loaded = Files.isDirectory(path) ? render(path) : load(path);
            for (Resource r : loaded) {
                if (out.put(r.id(), r) != null) {
                    throw new AssertionError(rel(path) + ": " + r.id() + " is defined twice");
                }
            }
        }
        if (k.namespace() != null) {
            out.values().stream().filter(r -> !r.tree().path("kind").asText().equals("Namespace"))
                    .forEach(r -> ((ObjectNode) r.tree().with("metadata")).put("namespace", k.namespace()));
        }
        for (Patch patch : k.patches() == null ? List.<Patch>of() : k.patches()) {
            applyPatch(dir, patch, out);
        }
        return new ArrayList<>(out.values());
    }

    /** Each patch must hit at least one resource: a patch of a renamed resource would otherwise do nothing. */
    private static void applyPatch(Path dir, Patch patch, Map<String, Resource> resources) {
        String where = rel(dir.resolve("kustomization.yaml")) + " patch " + (patch.path() != null ? patch.path() : "(inline)");
        List<JsonNode> docs = patch.path() != null
                ? Yaml.documents(dir.resolve(patch.path())) : Yaml.documents(patch.patch());
        for (JsonNode doc : docs) {
            String kind = patch.target() != null && patch.target().kind() != null
                    ? patch.target().kind() : doc.path("kind").asText();
            String name = patch.target() != null ? patch.target().name()
                    : doc.path("metadata").path("name").asText();
            List<Resource> hits = resources.values().stream()
                    .filter(r -> r.tree().path("kind").asText().equals(kind))
                    .filter(r -> name == null || r.tree().path("metadata").path("name").asText().equals(name))
                    .toList();
            if (hits.isEmpty()) {
                throw new AssertionError(where + ": no resource " + kind + "/" + (name == null ? "*" : name)
                        + " to patch; resources: " + resources.keySet());
            }
            for (Resource hit : hits) {
                ObjectNode body = doc.deepCopy();
                // The patch's own name only identifies it when there is no target.
                ((ObjectNode) body.with("metadata")).remove("name");
                merge(hit.tree(), body, BUILT_IN.contains(kind), "");
            }
        }
    }

    static void merge(ObjectNode base, JsonNode patch, boolean builtIn, String field) {
        patch.fields().forEachRemaining(e -> {
            String key = e.getKey();
            JsonNode value = e.getValue();
            JsonNode current = base.get(key);
            if (key.startsWith("$")) {
                throw new AssertionError("strategic-merge directive " + key + " is outside the rendered subset");
            } else if (value.isNull()) {
                base.remove(key);
            } else if (value.isObject() && current != null && current.isObject()) {
                merge((ObjectNode) current, value, builtIn, key);
            } else if (value.isArray() && current != null && current.isArray() && builtIn
                    && MERGE_KEYS.containsKey(key) && !MERGE_KEYS.get(key).startsWith("\0")) {
                mergeList((ArrayNode) current, (ArrayNode) value, MERGE_KEYS.get(key), builtIn);
            } else {
                base.set(key, value.deepCopy());
            }
        });
    }

    private static void mergeList(ArrayNode base, ArrayNode patch, String mergeKey, boolean builtIn) {
        for (JsonNode item : patch) {
            JsonNode key = item.get(mergeKey);
            ObjectNode match = null;
            for (JsonNode existing : base) {
                if (key != null && key.equals(existing.get(mergeKey))) {
                    match = (ObjectNode) existing;
                }
            }
            if (match != null) {
                merge(match, item, builtIn, mergeKey);
            } else {
                base.add(item.deepCopy());
            }
        }
    }

    private static List<Resource> load(Path file) {
        List<Resource> list = new ArrayList<>();
        for (JsonNode doc : Yaml.documents(file)) {
            if (!doc.isObject()) {
                throw new AssertionError(rel(file) + ": a document that is not a resource");
            }
            list.add(new Resource(rel(file), (ObjectNode) doc));
        }
        return list;
    }

    static String rel(Path p) {
        return Repo.ROOT.relativize(p.toAbsolutePath().normalize()).toString();
    }
}
