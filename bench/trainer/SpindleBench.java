import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;

import java.io.DataOutputStream;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Spindle's side of bench/trainer: trains the GPT through the model module's own code and prints one JSON line.
 *
 * <p>Modes: {@code speed OUT_DIR THREADS STEPS}: exports the initial weights (safetensors) and the batches
 * (int32 little-endian, B x (T+1) per step) into OUT_DIR for the PyTorch reference, then trains STEPS steps;
 * {@code rss STEPS}: trains STEPS steps and samples this process's resident memory every 100 steps.
 * The model shape comes from the environment (V, D, L, H, T, B), as for the reference.
 */
public class SpindleBench {

    static int env(String name, int fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    static final int V = env("V", 8192), D = env("D", 256), L = env("L", 4), H = env("H", 4), T = env("T", 128), B = env("B", 8);
    static final int WARMUP = 3;

    /** A learnable stream with noise: each step's batch differs, and the loss moves. */
    static int[] batch(int step) {
        Random random = new Random(1000 + step);
        int[] tokens = new int[B * (T + 1)];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(4) == 0 ? random.nextInt(V) : (i * 7 + step * 13) % Math.min(509, V);
        }
        return tokens;
    }

    static OptimizerConfig optimizer() {
        return new OptimizerConfig(1e-3f, 1e-4f, 10, 1000, 0.1f, 0.9f, 0.95f, 1e-8f, 1.0f, 1337);
    }

    public static void main(String[] args) throws Exception {
        GptConfig config = new GptConfig(V, T, D, H, L);
        if (args[0].equals("speed")) {
            speed(config, Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            rss(config, Integer.parseInt(args[1]));
        }
    }

    static void speed(GptConfig config, Path out, int threads, int steps) throws Exception {
        Files.createDirectories(out);
        try (GptTrainer trainer = new GptTrainer(config, optimizer())) {
            trainer.exportSafetensors(out.resolve("init.safetensors"));
            try (DataOutputStream data = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(out.resolve("batches.bin"))))) {
                for (int s = 0; s < steps; s++) {
                    for (int token : batch(s)) {
                        data.writeInt(Integer.reverseBytes(token));
                    }
                }
            }
            StringBuilder losses = new StringBuilder();
            long timedFrom = 0;
            for (int s = 0; s < steps; s++) {
                if (s == WARMUP) {
                    timedFrom = System.nanoTime();
                }
                GptTrainer.StepResult result = trainer.trainStep(batch(s), B, T + 1);
                losses.append(s == 0 ? "" : ",").append(result.loss());
            }
            double seconds = (System.nanoTime() - timedFrom) / 1e9;
            double tokensPerS = (double) (steps - WARMUP) * B * T / seconds;
            System.out.printf(Locale.ROOT, "{\"threads\":%d,\"tokens_s\":%.1f,\"flops_per_token\":%.0f,\"losses\":[%s]}%n",
                    threads, tokensPerS, config.flopsPerToken(), losses);
        }
    }

    static void rss(GptConfig config, int steps) throws Exception {
        StringBuilder samples = new StringBuilder();
        try (GptTrainer trainer = new GptTrainer(config, optimizer())) {
            for (int s = 1; s <= steps; s++) {
                trainer.trainStep(batch(s % 64), B, T + 1);
                if (s % 100 == 0 || s == 10) {
                    samples.append(samples.length() == 0 ? "" : ",").append("[").append(s).append(",").append(rssMb()).append("]");
                }
            }
        }
        System.out.printf(Locale.ROOT, "{\"rss_mb_by_step\":[%s]}%n", samples);
    }

    static long rssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
