package io.spindle.cli;

import io.spindle.cli.tokenizer.TrainTokenizerCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code bin/spindle}: run Spindle on one machine. */
public final class Spindle {

    private static final String USAGE = """
            usage: bin/spindle COMMAND

              demo [--steps N] [--exit]   clean start, feed samples/, train N steps (default 200), summarize;
                                          --exit stops everything after the summary
              up                          start Kafka and the four services in the background
              feed PATH...                produce files, folders, .jsonl and .gz to corpus.documents
              status                      what runs, where, and whether it is healthy
              down                        stop everything that 'up' or 'demo' started
              train-tokenizer ARGS        train a byte-level BPE tokenizer.json (--help for its options)
            """;

    private Spindle() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Path home = Path.of(System.getProperty("spindle.home", ".")).toAbsolutePath().normalize();
        LocalCluster cluster = new LocalCluster(Layout.defaults(home), out);
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "demo" -> demo(cluster, rest, out);
                case "up" -> up(cluster, out);
                case "feed" -> feed(cluster, rest, out);
                case "status" -> status(cluster, out);
                case "down" -> down(cluster, out);
                case "train-tokenizer" -> TrainTokenizerCommand.run(rest);
                default -> {
                    System.err.println("unknown command '" + args[0] + "'");
                    System.err.print(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("spindle: " + e.getMessage());
            return 1;
        }
    }

    private static int demo(LocalCluster cluster, String[] args, PrintStream out) {
        long steps = 200;
        boolean exit = false;
        Map<String, String> trainer = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Long.parseLong(value(args, ++i, "--steps"));
                case "--exit" -> exit = true;
                default -> {
                    if (args[i].startsWith("-D") && args[i].contains("=")) {
                        String[] kv = args[i].substring(2).split("=", 2);
                        trainer.put(kv[0], kv[1]);
                    } else {
                        throw new IllegalArgumentException("unknown demo option '" + args[i] + "'");
                    }
                }
            }
        }
        Thread stopOnExit = new Thread(() -> {
            out.println("Stopping...");
            cluster.stopAll();
        });
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        new Demo(cluster, out).run(new Demo.Options(steps, exit, trainer, Duration.ofMinutes(30)));
        if (exit) {
            return 0; // the shutdown hook stops everything
        }
        out.println("Still running: the dashboard and APIs stay up. Ctrl-C stops everything.");
        LocalCluster.sleep(Duration.ofDays(365));
        return 0;
    }

    private static int up(LocalCluster cluster, PrintStream out) {
        Layout layout = cluster.layout();
        out.println("Starting Kafka and the four services (logs in " + layout.logs() + ")");
        cluster.startKafka(Map.of(), Duration.ofSeconds(90));
        for (Service service : Service.SERVICES) {
            Map<String, String> properties = service == Service.TOKENIZER
                    ? Map.of("spindle.tokenizer.path", layout.samples().resolve("tokenizer.json").toString())
                    : Map.of();
            cluster.startService(service, properties, Duration.ofSeconds(120));
        }
        return status(cluster, out);
    }

    private static int feed(LocalCluster cluster, String[] args, PrintStream out) {
        if (args.length == 0) {
            throw new IllegalArgumentException("feed needs at least one file or folder");
        }
        List<Path> paths = new ArrayList<>();
        for (String arg : args) {
            paths.add(Path.of(arg));
        }
        long start = System.nanoTime();
        try (Feeder feeder = new Feeder(cluster.layout().bootstrapServers())) {
            Feeder.Fed fed = feeder.feed(paths);
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf("fed %,d records, %.1f MB in %.1f s to corpus.documents at %s%n",
                    fed.documents(), fed.bytes() / 1e6, seconds, cluster.layout().bootstrapServers());
        }
        return 0;
    }

    private static int status(LocalCluster cluster, PrintStream out) {
        Layout layout = cluster.layout();
        boolean kafka = cluster.running(Service.KAFKA).isPresent();
        out.printf("%-10s %-8s %s%n", "kafka", kafka ? "running" : "stopped", layout.bootstrapServers());
        boolean healthy = kafka;
        for (Service service : Service.SERVICES) {
            boolean running = cluster.running(service).isPresent();
            boolean ready = running && Http.status(layout.url(service) + "/q/health/ready") == 200;
            healthy &= ready;
            out.printf("%-10s %-8s %s%n", service.id, ready ? "ready" : running ? "starting" : "stopped", layout.url(service));
        }
        out.println("feed it:   bin/spindle feed FILE...   or   kcat -P -b " + layout.bootstrapServers() + " -t corpus.documents");
        out.println("dashboard: " + layout.url(Service.METRICS) + "/");
        return healthy ? 0 : 3;
    }

    private static int down(LocalCluster cluster, PrintStream out) {
        cluster.stopAll();
        out.println("stopped");
        return 0;
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }
}
