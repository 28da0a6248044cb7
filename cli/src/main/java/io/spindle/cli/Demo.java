package io.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.contracts.json.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code spindle demo}: a clean local Spindle, fed with {@code samples/}, trained for a number of steps, with
 * progress while it trains and a summary at the end. The last line is one JSON object, for scripts.
 */
final class Demo {

    static final String RUN = "demo";

    /** What a demo run is told to do. */
    record Options(long steps, boolean exit, Map<String, String> trainerProperties, Duration timeout) {
    }

    private final LocalCluster cluster;
    private final PrintStream out;

    Demo(LocalCluster cluster, PrintStream out) {
        this.cluster = cluster;
        this.out = out;
    }

    /** Runs the demo; returns the summary that was printed as the last line. */
    ObjectNode run(Options options) {
        Layout layout = cluster.layout();
        long started = System.nanoTime();
        wipe(layout.kafkaData());
        wipe(layout.workDir().resolve("state"));
        wipe(layout.checkpoints());
        wipe(layout.drafterCheckpoints());

        out.println("Starting Kafka and the four services (logs in " + layout.home().relativize(layout.logs()) + ")");
        cluster.startKafka(Map.of(), Duration.ofSeconds(90));
        Map<String, String> trainer = new LinkedHashMap<>(Map.of(
                "spindle.trainer.run", RUN,
                "spindle.trainer.max-steps", String.valueOf(options.steps())));
        trainer.putAll(options.trainerProperties());
        cluster.startService(Service.METRICS, Map.of(), Duration.ofSeconds(90));
        cluster.startService(Service.DRAFTER, Map.of("spindle.drafter.run", RUN,
                "spindle.drafter.tokenizer-path", layout.samples().resolve("tokenizer.json").toString()), Duration.ofSeconds(90));
        cluster.startService(Service.TRAINER, trainer, Duration.ofSeconds(120));
        cluster.startService(Service.TOKENIZER, Map.of(
                "spindle.tokenizer.path", layout.samples().resolve("tokenizer.json").toString()), Duration.ofSeconds(90));

        out.println("Feeding " + layout.home().relativize(layout.samples()) + " to corpus.documents at " + layout.bootstrapServers());
        Feeder.Fed fed;
        try (Feeder feeder = new Feeder(layout.bootstrapServers())) {
            fed = feeder.feed(List.of(layout.samples().resolve("corpus.jsonl.gz"), layout.samples().resolve("bad-records.jsonl")));
        }
        out.printf("  fed %,d records (%.1f MB)%n", fed.documents(), fed.bytes() / 1e6);

        double firstStepSeconds = followTraining(options, started);
        ObjectNode summary = summarize(options, fed, firstStepSeconds);
        printSummary(summary);
        out.println(summary.toString());
        return summary;
    }

    /** Prints progress until the trainer reaches its step budget; returns seconds from start to the first step. */
    private double followTraining(Options options, long started) {
        Layout layout = cluster.layout();
        long deadline = System.nanoTime() + options.timeout().toNanos();
        double firstStep = -1;
        long firstStepNanos = 0;
        long lastPrinted = -1;
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> status = Http.json(layout.url(Service.TRAINER) + "/api/status");
            long step = status.map(s -> s.path("step").asLong()).orElse(0L);
            if (step > 0 && firstStep < 0) {
                firstStepNanos = System.nanoTime();
                firstStep = (firstStepNanos - started) / 1e9;
                out.printf("First training step %.1f s after start%n", firstStep);
            }
            if (step != lastPrinted && step > 0) {
                JsonNode s = status.orElseThrow();
                double secondsPerStep = (System.nanoTime() - firstStepNanos) / 1e9 / Math.max(1, step - 1);
                long eta = (long) ((options.steps() - step) * secondsPerStep);
                out.printf("  step %4d/%d  loss %.3f  %,6.0f tok/s  MFU %4.1f%%  eta %dm%02ds%n", step, options.steps(),
                        s.path("loss").asDouble(), s.path("tokensPerS").asDouble(), s.path("mfu").asDouble() * 100,
                        eta / 60, eta % 60);
                lastPrinted = step;
            }
            if (status.map(s -> s.path("state").asText()).orElse("").equals("FAILED")) {
                throw new IllegalStateException("the trainer failed: " + status.get().path("error").asText()
                        + "; see " + layout.log(Service.TRAINER));
            }
            if (step >= options.steps() && metricsCaughtUp(options.steps())) {
                return firstStep;
            }
            LocalCluster.sleep(Duration.ofSeconds(2));
        }
        throw new IllegalStateException("training did not reach " + options.steps() + " steps within "
                + options.timeout().toMinutes() + " min; see " + layout.logs());
    }

    private boolean metricsCaughtUp(long steps) {
        return Http.json(cluster.layout().url(Service.METRICS) + "/api/runs/" + RUN)
                .map(run -> run.path("latestStep").asLong() >= steps).orElse(false);
    }

    private ObjectNode summarize(Options options, Feeder.Fed fed, double firstStepSeconds) {
        Layout layout = cluster.layout();
        JsonNode run = Http.json(layout.url(Service.METRICS) + "/api/runs/" + RUN).orElseThrow();
        JsonNode tokenizer = Http.json(layout.url(Service.TOKENIZER) + "/api/stats").orElseThrow();
        JsonNode idle = Http.json(layout.url(Service.DRAFTER) + "/api/idle-windows").orElse(Json.MAPPER.createArrayNode());

        ObjectNode summary = Json.MAPPER.createObjectNode();
        summary.put("steps", run.path("latestStep").asLong());
        summary.put("loss_first", round(run.path("firstLoss").asDouble()));
        summary.put("loss_last", round(run.path("latestLoss").asDouble()));
        summary.put("tokens_per_s", round(run.path("tokensPerS").asDouble()));
        summary.put("mfu", round(run.path("mfu").asDouble()));
        summary.put("data_wait_pct", round(run.path("dataWaitPct").asDouble()));
        // The trainer's own figure leaves out the wait for the first batch, which is start-up, not the feed.
        Http.json(layout.url(Service.TRAINER) + "/api/status")
                .ifPresent(status -> summary.put("data_wait_pct_after_first_step", round(status.path("dataWaitPct").asDouble())));
        summary.put("tokens", run.path("tokensSeen").asLong());
        summary.put("documents", tokenizer.path("documents").asLong());
        summary.put("rejected", tokenizer.path("rejected").asLong());
        summary.put("batches", tokenizer.path("batches").asLong());
        summary.put("records_fed", fed.documents());
        long windows = 0;
        long idleMs = 0;
        for (JsonNode worker : idle) {
            windows += worker.path("closedWindows").asLong();
            idleMs += worker.path("totalIdleMs").asLong();
        }
        summary.put("idle_windows", windows);
        summary.put("idle_s", round(idleMs / 1000.0));
        JsonNode spot = Http.json(layout.url(Service.DRAFTER) + "/api/spot").orElse(Json.MAPPER.createObjectNode());
        summary.put("drafter_steps", spot.path("steps").asLong());
        summary.put("harvested_s", round(spot.path("harvestedMs").asLong() / 1000.0));
        summary.put("preempt_p99_ms", spot.path("preemptionP99Ms").asLong(-1));
        summary.put("dashboard", layout.url(Service.METRICS) + "/");
        summary.put("time_to_first_step_s", round(firstStepSeconds));
        generate(summary);
        ObjectNode rss = summary.putObject("peak_rss_mb");
        for (Service service : Service.values()) {
            rss.put(service.id, cluster.peakRssMb(service));
        }
        return summary;
    }

    /** A prompt in the register of the corpus (reviews, posts), which none of its documents starts with. */
    static final String PROMPT = "I watched this movie last night and";

    /**
     * Continues {@link #PROMPT} on drafter-service, target-only and then speculatively (greedy, so the two
     * texts must be equal), and records the sample, the accept length and the speed-up. In a 200-step demo
     * the drafter has had little idle time to train in, so expect a modest accept length here; bench/run
     * speculative measures a trained one.
     */
    private void generate(ObjectNode summary) {
        String url = cluster.layout().url(Service.DRAFTER) + "/generate";
        ObjectNode request = Json.MAPPER.createObjectNode().put("prompt", PROMPT).put("maxTokens", 48).put("temperature", 0.0);
        Optional<JsonNode> target = Http.postJson(url, request.put("speculative", false), Duration.ofSeconds(120));
        Optional<JsonNode> speculative = Http.postJson(url, request.put("speculative", true), Duration.ofSeconds(120));
        if (target.isEmpty() || speculative.isEmpty()) {
            summary.putNull("sample");
            return;
        }
        summary.put("sample", PROMPT + target.get().path("text").asText());
        summary.put("speculative_identical", target.get().path("text").asText().equals(speculative.get().path("text").asText()));
        summary.put("accept_length", round(speculative.get().path("acceptLength").asDouble()));
        summary.put("speedup", round(speculative.get().path("tokensPerSecond").asDouble()
                / Math.max(1e-9, target.get().path("tokensPerSecond").asDouble())));
    }

    private void printSummary(ObjectNode s) {
        Layout layout = cluster.layout();
        out.println();
        out.println("Summary");
        out.printf("  steps            %d (%,d tokens)%n", s.get("steps").asLong(), s.get("tokens").asLong());
        out.printf("  loss             %.3f -> %.3f%n", s.get("loss_first").asDouble(), s.get("loss_last").asDouble());
        out.printf("  tokens/s         %,.0f (MFU %.1f%%, data wait %.1f%%; %.2f%% after the first batch)%n",
                s.get("tokens_per_s").asDouble(), s.get("mfu").asDouble() * 100, s.get("data_wait_pct").asDouble(),
                s.path("data_wait_pct_after_first_step").asDouble(Double.NaN));
        out.printf("  documents        %,d accepted, %d rejected (see corpus.rejected), %,d batches%n",
                s.get("documents").asLong(), s.get("rejected").asLong(), s.get("batches").asLong());
        out.printf("  trainer idle     %.1f s in %d windows (drafter-service saw them: %s/api/idle-windows)%n",
                s.get("idle_s").asDouble(), s.get("idle_windows").asLong(), layout.url(Service.DRAFTER));
        out.printf("  drafter          %d spot steps in %.1f s of harvested idle time (preemption p99 %d ms)%n",
                s.get("drafter_steps").asLong(), s.get("harvested_s").asDouble(), s.get("preempt_p99_ms").asLong());
        if (s.hasNonNull("sample")) {
            out.printf("  generation       accept length %.2f, speed-up %.2fx, identical to target-only: %s%n",
                    s.get("accept_length").asDouble(), s.get("speedup").asDouble(), s.get("speculative_identical").asBoolean());
            out.println("  sample           " + s.get("sample").asText().replace('\n', ' '));
        } else {
            out.println("  generation       not available (see " + cluster.layout().url(Service.DRAFTER) + "/api/target)");
        }
        out.printf("  first step after %.1f s%n", s.get("time_to_first_step_s").asDouble());
        out.printf("  peak RSS (MB)    %s%n", s.get("peak_rss_mb"));
        out.println("  REST             " + layout.url(Service.METRICS) + "/api/runs/" + RUN
                + "   " + layout.url(Service.TOKENIZER) + "/api/stats   " + layout.url(Service.TRAINER) + "/api/status   "
                + layout.url(Service.DRAFTER) + "/api/spot");
        out.println("  dashboard        " + layout.url(Service.METRICS) + "/");
        out.println("  Prometheus       " + layout.url(Service.METRICS) + "/q/metrics (each service has /q/metrics)");
        out.println("  Kafka            " + layout.bootstrapServers());
        out.println("  logs             " + layout.logs());
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
