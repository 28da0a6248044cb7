package io.spindle.drafter;

import io.spindle.contracts.CheckpointAnnouncement;

/** What {@code GET /api/target} answers: the target checkpoint in use, and the last one that could not be. */
public final class TargetStatus {

    /** The target in use (null fields before the first load) and the last rejected announcement. */
    public record View(Long step, String uri, Long loadedAt, long rejected, Long lastRejectedStep, String lastError) {
    }

    private CheckpointAnnouncement loaded;
    private long loadedAt;
    private long rejected;
    private CheckpointAnnouncement lastRejected;
    private String lastError;

    synchronized void loaded(CheckpointAnnouncement announcement) {
        loaded = announcement;
        loadedAt = System.currentTimeMillis();
    }

    synchronized void rejected(CheckpointAnnouncement announcement, String error) {
        rejected++;
        lastRejected = announcement;
        lastError = error;
    }

    public synchronized View view() {
        return new View(loaded == null ? null : loaded.step(), loaded == null ? null : loaded.uri(),
                loaded == null ? null : loadedAt, rejected, lastRejected == null ? null : lastRejected.step(), lastError);
    }
}
