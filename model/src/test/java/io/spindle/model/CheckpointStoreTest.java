package io.spindle.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    private static CheckpointStore.Contents payload(String text) {
        return dir -> Files.writeString(dir.resolve("weights.bin"), text);
    }

    @Test
    void writesVerifiesAndKeepsTheNewestK(@TempDir Path root) throws IOException {
        CheckpointStore store = new CheckpointStore(root, 2);
        for (long step = 10; step <= 40; step += 10) {
            store.write(step, Map.of("offset.train.batches-0", Long.toString(step)), payload("w" + step));
        }
        assertEquals(List.of("step-000000040", "step-000000030"),
                store.list().stream().map(p -> p.getFileName().toString()).toList());
        CheckpointStore.Checkpoint newest = store.newestValid().orElseThrow();
        assertEquals(40, newest.step());
        assertEquals(Map.of("offset.train.batches-0", "40"), newest.metadata());
        assertEquals(CheckpointStore.sha256(newest.dir().resolve("weights.bin")), newest.sha256().get("weights.bin"));
        try (Stream<Path> files = Files.list(root)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".tmp")), "no temporary folder left");
        }
    }

    @Test
    void aCorruptCheckpointIsSkippedForTheOlderValidOne(@TempDir Path root) throws IOException {
        CheckpointStore store = new CheckpointStore(root, 3);
        store.write(1, Map.of(), payload("first"));
        CheckpointStore.Checkpoint second = store.write(2, Map.of(), payload("second"));
        Files.writeString(second.dir().resolve("weights.bin"), "torn");
        assertThrows(IOException.class, () -> CheckpointStore.verify(second.dir()));
        assertEquals(1, store.newestValid().orElseThrow().step());

        CheckpointStore.Checkpoint third = store.write(3, Map.of(), payload("third"));
        Files.delete(third.dir().resolve("SHA256SUMS"));
        assertEquals(1, store.newestValid().orElseThrow().step(), "no digest file: not complete");
    }

    @Test
    void aFailedWriteLeavesNothingBehind(@TempDir Path root) {
        CheckpointStore store = new CheckpointStore(root, 3);
        assertThrows(UncheckedIOException.class, () -> store.write(5, Map.of(), dir -> {
            Files.writeString(dir.resolve("half"), "x");
            throw new IOException("disk full");
        }));
        assertTrue(store.newestValid().isEmpty());
        assertTrue(store.list().isEmpty());
    }

    @Test
    void anEmptyOrMissingFolderHasNoCheckpoint(@TempDir Path root) {
        assertTrue(new CheckpointStore(root.resolve("absent"), 1).newestValid().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new CheckpointStore(root, 0));
    }
}
