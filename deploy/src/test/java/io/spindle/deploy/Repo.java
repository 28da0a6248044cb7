package io.spindle.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository checkout the deploy tests read: manifests, compose file, Dockerfiles, service config. */
final class Repo {

    /** The repository root: the parent of this module (Surefire runs in the module's directory). */
    static final Path ROOT = findRoot();

    private Repo() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT.relativize(file.toAbsolutePath()), e);
        }
    }

    static String read(String relative) {
        return read(path(relative));
    }

    /** The project version images are tagged with (set by Surefire from the pom). */
    static String version() {
        String version = System.getProperty("spindle.version");
        if (version == null || version.isBlank()) {
            throw new IllegalStateException("system property spindle.version is not set (deploy/pom.xml sets it)");
        }
        return version;
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("contracts")) && Files.isRegularFile(p.resolve("docker-compose.yml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (with contracts/ and docker-compose.yml) above " + dir);
    }
}
