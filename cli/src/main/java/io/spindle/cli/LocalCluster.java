package io.spindle.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the broker and the services as separate processes, as a user would: each with its own log file and
 * pid file under the layout's work dir, so {@code up}, {@code status} and {@code down} can be separate
 * invocations.
 */
final class LocalCluster {

    /** Settings every JVM that runs DJL gets (DESIGN §6): glibc malloc tuning makes fresh tensors ~4x faster. */
    static final Map<String, String> DJL_ENVIRONMENT = Map.of(
            // oneMKL picks kernels per process; pinning them keeps a resumed run bit-identical to an uninterrupted one.
            "MKL_CBWR", "AUTO,STRICT",
            "MALLOC_ARENA_MAX", "1",
            "GLIBC_TUNABLES", "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736");

    private final Layout layout;
    private final PrintStream out;

    LocalCluster(Layout layout, PrintStream out) {
        this.layout = layout;
        this.out = out;
    }

    Layout layout() {
        return layout;
    }

    /** Starts the broker and waits until it has created the registry topics. */
    void startKafka(Map<String, Integer> partitions, Duration timeout) {
        List<String> args = new ArrayList<>(List.of("--port", String.valueOf(layout.kafkaPort()),
                "--data-dir", layout.kafkaData().toString()));
        partitions.forEach((topic, count) -> args.addAll(List.of("--partitions", topic + "=" + count)));
        Process process = launch(Service.KAFKA, List.of(), args, Map.of());
        awaitLogLine(Service.KAFKA, process, "Kafka ready at", timeout);
    }

    /** Starts one Quarkus service with the given config properties (as -D flags) and waits until it is ready. */
    void startService(Service service, Map<String, String> properties, Duration timeout) {
        List<String> jvm = new ArrayList<>();
        jvm.add("-Dquarkus.http.port=" + layout.httpPorts().get(service));
        // Quarkus listens on every interface by default in prod mode; a local Spindle serves this machine only.
        jvm.add("-Dquarkus.http.host=127.0.0.1");
        jvm.add("-Dkafka.bootstrap.servers=" + layout.bootstrapServers());
        jvm.add("-Dkafka-streams.state.dir=" + layout.state(service));
        // Everything a local Spindle keeps lives under its work dir, so 'demo' can start clean.
        jvm.add("-Dspindle.trainer.checkpoint.dir=" + layout.checkpoints());
        jvm.add("-Dspindle.drafter.spot.checkpoint-dir=" + layout.drafterCheckpoints());
        jvm.add("-Dai.djl.offline=true");
        jvm.add("-Dai.djl.default_engine=PyTorch");
        properties.forEach((key, value) -> jvm.add("-D" + key + "=" + value));
        Process process = launch(service, jvm, List.of(), DJL_ENVIRONMENT);
        awaitReady(service, process, timeout);
    }

    private Process launch(Service service, List<String> jvmArgs, List<String> args, Map<String, String> env) {
        Path jar = service.jar(layout.home());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (bin/spindle builds when needed)");
        }
        running(service).ifPresent(p -> {
            throw new IllegalStateException(service.id + " already runs as pid " + p.pid() + "; run 'bin/spindle down' first");
        });
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(service.jvmOptions);
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        try {
            Files.createDirectories(layout.logs());
            Files.createDirectories(layout.pidFile(service).getParent());
            if (Files.exists(layout.log(service))) {
                // Keep the previous run's log (a crash's last words) but start the readiness scan afresh.
                Files.move(layout.log(service), layout.logs().resolve(service.id + ".previous.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(layout.home().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(layout.log(service).toFile()));
            builder.environment().putIfAbsent("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
            builder.environment().putAll(env);
            Process process = builder.start();
            Files.writeString(layout.pidFile(service), String.valueOf(process.pid()));
            out.printf("  started %-9s pid %-7d log %s%n", service.id, process.pid(), layout.home().relativize(layout.log(service)));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + service.id, e);
        }
    }

    private void awaitLogLine(Service service, Process process, String line, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service.id + " exited with " + process.exitValue() + "; see " + layout.log(service));
            }
            try {
                if (Files.exists(layout.log(service)) && Files.readString(layout.log(service)).contains(line)) {
                    return;
                }
                Thread.sleep(100);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
        throw new IllegalStateException(service.id + " not ready after " + timeout.toSeconds() + " s; see " + layout.log(service));
    }

    private void awaitReady(Service service, Process process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String health = layout.url(service) + "/q/health/ready";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service.id + " exited with " + process.exitValue() + "; see " + layout.log(service));
            }
            if (Http.status(health) == 200) {
                return;
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException(service.id + " not ready after " + timeout.toSeconds() + " s; see " + layout.log(service));
    }

    /** The live process recorded in the service's pid file, if any. */
    Optional<ProcessHandle> running(Service service) {
        Path pidFile = layout.pidFile(service);
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops services first, the broker last, each with SIGTERM and then, after a grace period, SIGKILL. */
    void stopAll() {
        List<Service> order = new ArrayList<>(List.of(Service.TOKENIZER, Service.TRAINER, Service.DRAFTER, Service.METRICS));
        order.add(Service.KAFKA);
        for (Service service : order) {
            stop(service);
        }
    }

    void stop(Service service) {
        stop(service, Duration.ofSeconds(20));
    }

    /** SIGTERM, and SIGKILL if it has not stopped within {@code grace}. */
    void stop(Service service, Duration grace) {
        running(service).ifPresent(process -> {
            process.destroy();
            try {
                process.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                out.printf("  stopped %s%n", service.id);
            } catch (Exception e) {
                process.destroyForcibly();
                out.printf("  killed %s (did not stop within %d s)%n", service.id, grace.toSeconds());
            }
        });
        try {
            Files.deleteIfExists(layout.pidFile(service));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, as a crash would: no shutdown hook runs, nothing is flushed. For fault tests. */
    void kill(Service service) {
        running(service).ifPresent(process -> {
            process.destroyForcibly();
            process.onExit().join();
            out.printf("  killed %s (SIGKILL)%n", service.id);
        });
    }

    /** Peak resident memory of a running service, from /proc (Linux); -1 when unknown. */
    long peakRssMb(Service service) {
        return running(service).map(p -> ProcMemory.peakRssKb(p.pid()) / 1024).orElse(-1L);
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
