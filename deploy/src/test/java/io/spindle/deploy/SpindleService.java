package io.spindle.deploy;

import io.spindle.contracts.Topics;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One of the four services, with the facts the deployments must agree with, read from the service's own
 * sources: its {@code application.properties} (port, Streams application id, processing guarantee,
 * consumer groups, topics) and its main Java code (the {@code Topics} constants it uses, config keys).
 * The Kafka contract (what it reads and writes) is DESIGN §2's topic table.
 */
enum SpindleService {

    TOKENIZER("tokenizer-service", "tokenizer",
            Set.of(Topics.CORPUS_DOCUMENTS),
            Set.of(Topics.TRAIN_BATCHES, Topics.CORPUS_REJECTED)),
    TRAINER("trainer-service", "trainer",
            Set.of(Topics.TRAIN_BATCHES),
            Set.of(Topics.TRAIN_METRICS, Topics.CAPACITY_EVENTS, Topics.TRAIN_CHECKPOINTS)),
    /** Reads batches (contexts) and the target's checkpoints with its own groups, all named spindle-drafter*. */
    DRAFTER("drafter-service", "drafter",
            Set.of(Topics.CAPACITY_EVENTS, Topics.TRAIN_BATCHES, Topics.TRAIN_CHECKPOINTS),
            Set.of(Topics.DRAFTER_METRICS, Topics.DRAFTER_CHECKPOINTS)),
    METRICS("metrics-service", "metrics",
            Set.of(Topics.TRAIN_METRICS, Topics.CAPACITY_EVENTS, Topics.DRAFTER_METRICS),
            Set.of());

    /** Maven module, also the image name. */
    final String module;
    /** Name of its workload, Service, ConfigMap prefix and compose service. */
    final String shortName;
    /** Topics it reads, by contract. */
    final Set<String> reads;
    /** Topics it writes, by contract. */
    final Set<String> writes;

    SpindleService(String module, String shortName, Set<String> reads, Set<String> writes) {
        this.module = module;
        this.shortName = shortName;
        this.reads = reads;
        this.writes = writes;
    }

    /** Services that run DJL (now or, for the drafter, with its model): they get the DJL/malloc settings. */
    boolean runsDjlEngine() {
        return this == TRAINER || this == DRAFTER;
    }

    String image() {
        return "spindle/" + module + ":" + Repo.version();
    }

    /**
     * The consumer-group prefix its KafkaUser may use, where DESIGN gives it several groups of its own
     * (the drafter: one per input); empty: exactly the groups it uses, literally.
     */
    Optional<String> groupPrefix() {
        return this == DRAFTER ? Optional.of("spindle-drafter") : Optional.empty();
    }

    /** The KafkaUser (and its Secret) the service authenticates as. */
    String kafkaUser() {
        return "spindle-" + shortName;
    }

    Path dockerfile() {
        return Repo.path(module + "/src/main/docker/Dockerfile.jvm");
    }

    /** application.properties without profile-specific (%test.) keys. */
    Properties properties() {
        Properties all = new Properties();
        try {
            all.load(new StringReader(Repo.read(module + "/src/main/resources/application.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties prod = new Properties();
        all.stringPropertyNames().stream().filter(k -> !k.startsWith("%"))
                .forEach(k -> prod.setProperty(k, all.getProperty(k)));
        return prod;
    }

    int httpPort() {
        String port = properties().getProperty("quarkus.http.port");
        if (port == null) {
            throw new IllegalStateException(module + ": no quarkus.http.port in application.properties");
        }
        return Integer.parseInt(port.trim());
    }

    Optional<String> streamsApplicationId() {
        return Optional.ofNullable(properties().getProperty("quarkus.kafka-streams.application-id"));
    }

    boolean exactlyOnce() {
        return "exactly_once_v2".equals(properties().getProperty("kafka-streams.processing.guarantee"));
    }

    /**
     * Consumer groups it joins: the Streams application id, SmallRye channels' group.id, and group-id
     * config keys (with the default given in code when application.properties does not set it).
     */
    Set<String> consumerGroups() {
        Properties props = properties();
        Set<String> groups = new TreeSet<>();
        streamsApplicationId().ifPresent(groups::add);
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".group.id")) {
                groups.add(props.getProperty(key).trim());
            }
        }
        groups.addAll(groupIdDefaultsInCode(props));
        return groups;
    }

    /** group-id keys, set in application.properties or else defaulted in code. */
    private Set<String> groupIdDefaultsInCode(Properties props) {
        Set<String> groups = new TreeSet<>();
        configDefaults().forEach((key, def) -> {
            if (key.endsWith("group-id")) {
                String value = props.getProperty(key, def).trim();
                if (!value.isEmpty()) {
                    groups.add(value);
                }
            }
        });
        return groups;
    }

    /** Keys declared in code ({@code @ConfigProperty}, {@code @ConfigMapping}) with their defaults ("" = none). */
    Map<String, String> configDefaults() {
        Map<String, String> keys = new TreeMap<>();
        Matcher cp = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"(?:\\s*,\\s*defaultValue\\s*=\\s*\"([^\"]*)\")?")
                .matcher(mainSources());
        while (cp.find()) {
            keys.put(cp.group(1), cp.group(2) == null ? "" : cp.group(2));
        }
        for (Path file : mainSourceFiles()) {
            keys.putAll(ConfigMappingKeys.of(Repo.read(file)));
        }
        return keys;
    }

    /** The group-id config key (for the trainer, whose group is configurable), if there is one. */
    Optional<String> groupIdKey() {
        return configDefaults().keySet().stream().filter(k -> k.endsWith("group-id")).findFirst();
    }

    /** Topic names its main code and config use: Topics constants, Streams topics, channel topics. */
    Set<String> topicsUsed() {
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\bTopics\\.([A-Z][A-Z0-9_]*)\\b").matcher(mainSources());
        while (m.find()) {
            topicConstant(m.group(1)).ifPresent(used::add);
        }
        Properties props = properties();
        for (String key : props.stringPropertyNames()) {
            boolean streamsTopics = key.equals("quarkus.kafka-streams.topics");
            boolean channelTopic = key.startsWith("mp.messaging.") && key.endsWith(".topic");
            if (streamsTopics || channelTopic) {
                Arrays.stream(props.getProperty(key).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .forEach(used::add);
            }
        }
        return used;
    }

    /** Topics of the SmallRye incoming channels: what a replica consumes in a plain consumer group. */
    Set<String> incomingChannelTopics() {
        Properties props = properties();
        return props.stringPropertyNames().stream()
                .filter(k -> k.startsWith("mp.messaging.incoming.") && k.endsWith(".topic"))
                .map(k -> props.getProperty(k).trim()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Keys (properties or code defaults) whose default path lies under ${user.home}. */
    Set<String> homeDirDefaults() {
        Map<String, String> all = new TreeMap<>(configDefaults());
        Properties props = properties();
        props.stringPropertyNames().forEach(k -> all.put(k, props.getProperty(k)));
        return all.entrySet().stream().filter(e -> e.getValue().contains("${user.home}")).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Config keys the service knows: application.properties and the keys its code declares. */
    Set<String> knownConfigKeys() {
        Set<String> keys = new TreeSet<>(properties().stringPropertyNames());
        keys.addAll(configDefaults().keySet());
        return keys;
    }

    /** The environment variable that sets a config key (SmallRye's rule: upper case, non-alphanumerics to _). */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    static SpindleService byShortName(String shortName) {
        return Arrays.stream(values()).filter(s -> s.shortName.equals(shortName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service named " + shortName));
    }

    private static Optional<String> topicConstant(String constant) {
        try {
            Field field = Topics.class.getField(constant);
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                return Optional.of((String) field.get(null));
            }
            return Optional.empty();
        } catch (NoSuchFieldException e) {
            return Optional.empty(); // Topics.ALL, Topics.spec(...)
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Path> mainSourceFiles() {
        Path root = Repo.path(module + "/src/main/java");
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String mainSources() {
        return mainSourceFiles().stream().map(Repo::read).collect(Collectors.joining("\n"));
    }

    /** All topics a service may touch by contract. */
    Set<String> contractTopics() {
        Set<String> all = new LinkedHashSet<>(reads);
        all.addAll(writes);
        return all;
    }
}
