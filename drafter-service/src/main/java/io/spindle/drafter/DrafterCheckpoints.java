package io.spindle.drafter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Drafter checkpoints as {@code step-000000123} folders: each written to a temporary folder and renamed
 * into place, so a crash mid-write never leaves a half checkpoint that looks whole. The newest K are kept.
 */
final class DrafterCheckpoints {

    private final Path root;
    private final int keep;

    DrafterCheckpoints(Path root, int keep) {
        this.root = root;
        this.keep = keep;
    }

    Optional<Path> newest() {
        return list().stream().reduce((older, newer) -> newer);
    }

    /** Writes with {@code writer} into a fresh folder for {@code step}; returns the folder. */
    Path write(long step, Function<Path, Path> writer) {
        try {
            Files.createDirectories(root);
            Path target = root.resolve(String.format("step-%09d", step));
            Path temporary = Files.createTempDirectory(root, ".writing-");
            writer.apply(temporary);
            if (Files.exists(target)) {
                delete(target);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            List<Path> all = list();
            for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
                delete(old);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write drafter checkpoint under " + root, e);
        }
    }

    private List<Path> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
