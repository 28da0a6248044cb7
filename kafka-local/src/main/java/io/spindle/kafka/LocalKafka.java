package io.spindle.kafka;

import java.io.PrintStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a real Kafka broker for local use: {@code java -jar kafka-local.jar [--port 9092] [--data-dir .spindle/kafka]
 * [--partitions topic=N]... [--property key=value]...}. Creates every registry topic, prints
 * {@code Kafka ready at 127.0.0.1:<port>} on stdout, and runs until SIGTERM / Ctrl-C, then shuts down cleanly.
 * The data directory is formatted on first use and reused afterwards. Logs go to stderr, Kafka's at WARN.
 */
public final class LocalKafka {

    public static final int DEFAULT_PORT = 9092;
    public static final String DEFAULT_DATA_DIR = ".spindle/kafka";
    public static final String READY_PREFIX = "Kafka ready at ";

    private LocalKafka() {
    }

    /** Parsed command line. */
    record Options(int port, Path dataDir, Map<String, Integer> partitions, Map<String, String> properties) {

        static Options parse(String... args) {
            int port = DEFAULT_PORT;
            Path dataDir = Path.of(DEFAULT_DATA_DIR);
            Map<String, Integer> partitions = new LinkedHashMap<>();
            Map<String, String> properties = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value;
                String name;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                } else {
                    name = arg;
                    value = null;
                }
                if (name.equals("-h") || name.equals("--help")) {
                    throw new UsageException(null);
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("missing value for " + name);
                    }
                    value = args[++i];
                }
                switch (name) {
                    case "--port" -> port = parseInt(name, value, 0, 65535);
                    case "--data-dir" -> dataDir = Path.of(value);
                    case "--partitions" -> {
                        String[] kv = keyValue(name, value);
                        partitions.put(kv[0], parseInt(name, kv[1], 1, 100_000));
                    }
                    case "--property" -> {
                        String[] kv = keyValue(name, value);
                        properties.put(kv[0], kv[1]);
                    }
                    default -> throw new UsageException("unknown option " + name);
                }
            }
            return new Options(port, dataDir, partitions, properties);
        }

        private static String[] keyValue(String option, String value) {
            int eq = value.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(option + " wants key=value, got '" + value + "'");
            }
            return new String[] {value.substring(0, eq), value.substring(eq + 1)};
        }

        private static int parseInt(String option, String value, int min, int max) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n < min || n > max) {
                    throw new UsageException(option + " must be in [" + min + ", " + max + "], got " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException(option + " wants a number, got '" + value + "'");
            }
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static final String USAGE = """
            usage: java -jar kafka-local.jar [options]
              --port N               broker port on 127.0.0.1 (default 9092; 0 = any free port)
              --data-dir DIR         data directory, formatted on first use and reused (default .spindle/kafka)
              --partitions TOPIC=N   partition count for a registry topic (repeatable)
              --property KEY=VALUE   any broker property (repeatable)
            Prints 'Kafka ready at 127.0.0.1:PORT' once the topics exist; stops on SIGTERM / Ctrl-C.""";

    public static void main(String[] args) {
        configureLogging();
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            PrintStream out = e.getMessage() == null ? System.out : System.err;
            if (e.getMessage() != null) {
                out.println("error: " + e.getMessage());
            }
            out.println(USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        try {
            run(options);
        } catch (RuntimeException e) {
            System.err.println("Kafka failed to start: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(Options options) {
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                .port(options.port())
                .dataDir(options.dataDir())
                .partitions(options.partitions());
        options.properties().forEach(builder::property);
        EmbeddedKafkaBroker broker = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
                System.err.println("Kafka stopped");
            } finally {
                stopped.countDown();
            }
        }, "local-kafka-shutdown"));
        broker.createRegistryTopics();
        System.out.println(READY_PREFIX + broker.bootstrapServers());
        System.out.flush();
        System.err.printf("(started in %d ms, data in %s)%n", broker.startupTime().toMillis(),
                options.dataDir().toAbsolutePath());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Makes JBoss LogManager the JUL manager with this module's config (stderr, Kafka at WARN), unless the user
     * chose otherwise. Must run before anything touches logging.
     */
    private static void configureLogging() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        if (System.getProperty("logging.configuration") == null) {
            URL config = LocalKafka.class.getResource("local-kafka-logging.properties");
            if (config != null) {
                System.setProperty("logging.configuration", config.toString());
            }
        }
    }
}
