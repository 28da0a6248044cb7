package io.spindle.deploy;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** External command-line tools the checks use where they are installed (docker-compose, kubectl). */
final class Tools {

    record Result(int exitCode, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    private Tools() {
    }

    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Skips the calling test where the tool is absent; CI installs it (.ci/deps). */
    static void assumeOnPath(String command) {
        Assumptions.assumeTrue(onPath(command), command + " is not installed; skipping (CI installs it)");
    }

    /** Runs a command in the repository root, bounded so a hung tool cannot hang the build. */
    static Result run(List<String> command) {
        try {
            Path out = Files.createTempFile("spindle-deploy", ".out");
            Path err = Files.createTempFile("spindle-deploy", ".err");
            try {
                Process p = new ProcessBuilder(command).directory(Repo.ROOT.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }
}
