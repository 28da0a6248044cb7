package io.spindle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.utils.AppInfoParser;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docker-compose.yml, read as a tree. */
record Compose(JsonNode root) {

    static final String FILE = "docker-compose.yml";
    /** One line of the topic-creation script: {@code topic NAME PARTITIONS CLEANUP_POLICY RETENTION_MS [MAX_MESSAGE_BYTES]}. */
    private static final Pattern TOPIC = Pattern.compile("^\\s*topic\\s+(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(-?\\d+)(?:\\s+(\\d+))?\\s*$",
            Pattern.MULTILINE);

    static Compose load() {
        return new Compose(Yaml.document(Repo.path(FILE)));
    }

    JsonNode service(String name) {
        JsonNode service = root.path("services").path(name);
        if (service.isMissingNode()) {
            throw new AssertionError(FILE + ": no service '" + name + "'");
        }
        return service;
    }

    Set<String> serviceNames() {
        Set<String> names = new TreeSet<>();
        root.path("services").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A service's environment (a map in this file, never a list). */
    Map<String, String> environment(String name) {
        JsonNode environment = service(name).path("environment");
        if (!environment.isObject()) {
            throw new AssertionError(FILE + ": service " + name + " environment should be a map");
        }
        Map<String, String> env = new LinkedHashMap<>();
        environment.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    /** The topics the one-shot "topics" service creates, as {@link TopicRegistryTest#line} lines. */
    Set<String> topics() {
        StringBuilder script = new StringBuilder();
        service("topics").path("command").forEach(c -> script.append(c.asText()).append('\n'));
        Set<String> lines = new TreeSet<>();
        Matcher m = TOPIC.matcher(script);
        while (m.find()) {
            String line = TopicRegistryTest.line(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4), m.group(5));
            if (!lines.add(line)) {
                throw new AssertionError(FILE + ": topic " + m.group(1) + " created twice");
            }
        }
        return lines;
    }

    /** The tag of the official apache/kafka image the broker runs. */
    String kafkaVersion() {
        String image = service("kafka").path("image").asText();
        if (!image.startsWith("apache/kafka:")) {
            throw new AssertionError(FILE + ": kafka runs '" + image + "', not the official apache/kafka image");
        }
        return image.substring("apache/kafka:".length());
    }

    /** The Kafka client version the services are built with (kafka-clients on this classpath). */
    static String clientVersion() {
        return AppInfoParser.getVersion();
    }
}
