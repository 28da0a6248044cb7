package io.spindle.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Points the trainer at an empty checkpoint folder, so a test never resumes from a previous run's state. */
public class FreshCheckpointDir implements QuarkusTestResourceLifecycleManager {

    static volatile Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("spindle-trainer-checkpoints");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("spindle.trainer.checkpoint.dir", dir.toString());
    }

    @Override
    public void stop() {
        // Left for inspection; the OS cleans its temporary folder.
    }
}
