package io.spindle.model;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A folder of checkpoints, one sub-folder per step ({@code step-000000200}), written atomically and pruned
 * to the newest {@code keep}.
 *
 * <p>Writing: the contents go to a hidden temporary folder, then {@code SHA256SUMS} (a digest of every file,
 * {@code sha256sum -c} format) is written last, the folder is fsynced and renamed into place. A reader
 * therefore never sees a half-written checkpoint under a {@code step-*} name, and a checkpoint whose files
 * do not match their digests (a torn disk, an edit) is detected and skipped with a warning.
 *
 * <p>Each checkpoint also holds {@code checkpoint.properties}: the step and free-form metadata from the
 * caller (the trainer stores the Kafka offsets it consumed there; this module knows nothing of Kafka).
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final String PREFIX = "step-";
    private static final String SUMS = "SHA256SUMS";
    private static final String META = "checkpoint.properties";
    private static final String STEP_KEY = "step";

    /** A checkpoint on disk that passed its digest check. */
    public record Checkpoint(Path dir, long step, Map<String, String> metadata, Map<String, String> sha256, long bytes) {
    }

    /** Writes a checkpoint's files into the (temporary) folder it is given. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path dir) throws IOException;
    }

    private final Path root;
    private final int keep;

    public CheckpointStore(Path root, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, was " + keep);
        }
        this.root = root;
        this.keep = keep;
    }

    public Path root() {
        return root;
    }

    /** Writes the checkpoint of {@code step} atomically, prunes old ones and returns what was written. */
    public Checkpoint write(long step, Map<String, String> metadata, Contents contents) {
        Path target = root.resolve(String.format("%s%09d", PREFIX, step));
        Path temp = root.resolve(".tmp-" + target.getFileName() + "-" + System.nanoTime());
        try {
            Files.createDirectories(temp);
            contents.writeTo(temp);
            Properties properties = new Properties();
            metadata.forEach(properties::setProperty);
            properties.setProperty(STEP_KEY, Long.toString(step));
            try (Writer writer = Files.newBufferedWriter(temp.resolve(META))) {
                properties.store(writer, "Spindle checkpoint");
            }
            Map<String, String> sums = digests(temp);
            StringBuilder manifest = new StringBuilder();
            sums.forEach((file, sum) -> manifest.append(sum).append("  ").append(file).append('\n'));
            Files.writeString(temp.resolve(SUMS), manifest);
            fsync(temp);
            if (Files.exists(target)) {
                // The same step written twice (a resumed run re-reaching it): the new one replaces it.
                deleteTree(target);
            }
            move(temp, target);
            Checkpoint written = new Checkpoint(target, step, Map.copyOf(metadata), sums, size(target));
            prune();
            return written;
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
    }

    /** Every complete checkpoint folder, newest step first (not yet verified). */
    public List<Path> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
    }

    /** The newest checkpoint whose files match their digests; corrupt ones are skipped with a warning. */
    public Optional<Checkpoint> newestValid() {
        for (Path dir : list()) {
            try {
                return Optional.of(verify(dir));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping corrupt checkpoint {}: {}", dir, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Checks every digest of {@code dir} and reads its metadata; throws naming the first mismatch. */
    public static Checkpoint verify(Path dir) throws IOException {
        Path sums = dir.resolve(SUMS);
        if (!Files.isRegularFile(sums)) {
            throw new IOException(SUMS + " is missing");
        }
        Map<String, String> expected = new TreeMap<>();
        for (String line : Files.readAllLines(sums)) {
            if (!line.isBlank()) {
                int gap = line.indexOf("  ");
                if (gap < 0) {
                    throw new IOException("malformed line in " + SUMS + ": " + line);
                }
                expected.put(line.substring(gap + 2), line.substring(0, gap));
            }
        }
        Map<String, String> actual = digests(dir);
        actual.remove(SUMS);
        if (!expected.equals(actual)) {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                if (!e.getValue().equals(actual.get(e.getKey()))) {
                    throw new IOException("sha256 of " + e.getKey() + " does not match " + SUMS);
                }
            }
            throw new IOException("files not listed in " + SUMS + ": " + actual.keySet());
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(dir.resolve(META))) {
            properties.load(reader);
        }
        Map<String, String> metadata = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> metadata.put(name, properties.getProperty(name)));
        long step = Long.parseLong(metadata.remove(STEP_KEY));
        return new Checkpoint(dir, step, metadata, expected, size(dir));
    }

    /** Hex sha256 of one file. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static Map<String, String> digests(Path dir) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                sums.put(file.getFileName().toString(), sha256(file));
            }
        }
        sums.remove(SUMS);
        return sums;
    }

    /** Forces every file to disk before the rename publishes them, so a power cut cannot publish holes. */
    private static void fsync(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            }
        }
    }

    private void prune() throws IOException {
        List<Path> all = list();
        for (Path old : all.subList(Math.min(keep, all.size()), all.size())) {
            deleteTree(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the checkpoint folder's file system cannot rename atomically", e);
        }
    }

    private static long size(Path dir) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(file);
            }
        }
        return total;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(walk.toList());
            paths.sort(Comparator.reverseOrder());
            for (Path path : paths) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
        } catch (IOException ignored) {
            // best effort: a leftover .tmp folder is never read
        }
    }
}
