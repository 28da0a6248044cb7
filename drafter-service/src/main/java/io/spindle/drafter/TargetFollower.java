package io.spindle.drafter;

import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import io.spindle.model.CheckpointStore;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Follows the target: reads {@code train.checkpoints} from its beginning (compacted: the newest announcement
 * per run survives), keeps the newest announcement of the configured run, checks the checkpoint's digests
 * (every file against its {@code SHA256SUMS}, and the weights against the announced sha256), loads it and
 * swaps it into the {@link ModelRoom}. A checkpoint that is missing, corrupt or unreadable is logged and
 * counted, and the target in use stays.
 */
final class TargetFollower implements Runnable {

    private static final Logger LOG = Logger.getLogger(TargetFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final String run;
    private final Consumer<String, byte[]> announcements;
    private final ModelRoom room;
    private final OptimizerConfig optimizer;
    private final TargetStatus status;
    private volatile boolean running = true;

    TargetFollower(String run, Consumer<String, byte[]> announcements, ModelRoom room, OptimizerConfig optimizer,
                   TargetStatus status) {
        this.run = run;
        this.announcements = announcements;
        this.room = room;
        this.optimizer = optimizer;
        this.status = status;
    }

    void stop() {
        running = false;
        announcements.wakeup();
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = announcements.partitionsFor(Topics.TRAIN_CHECKPOINTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            announcements.assign(partitions);
            announcements.seekToBeginning(partitions);
            while (running) {
                CheckpointAnnouncement newest = null;
                for (ConsumerRecord<String, byte[]> record : announcements.poll(POLL)) {
                    CheckpointAnnouncement announcement = read(record);
                    if (announcement != null && run.equals(announcement.run())
                            && (newest == null || announcement.step() > newest.step())) {
                        newest = announcement;
                    }
                }
                long current = room.target().map(CheckpointAnnouncement::step).orElse(-1L);
                if (newest != null && newest.step() > current) {
                    load(newest);
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // stop() asked for it
        } finally {
            announcements.close(Duration.ofSeconds(5));
        }
    }

    private void load(CheckpointAnnouncement announcement) {
        long started = System.nanoTime();
        try {
            Path dir = localDir(announcement.uri());
            CheckpointStore.Checkpoint verified = CheckpointStore.verify(dir);
            String weights = verified.sha256().get(GptTrainer.WEIGHTS_FILE);
            if (weights == null || !weights.equals(announcement.sha256())) {
                throw new IOException("sha256 of " + GptTrainer.WEIGHTS_FILE + " is " + weights
                        + ", the announcement says " + announcement.sha256());
            }
            GptTrainer target = GptTrainer.load(dir, optimizer);
            try {
                room.installTarget(target, announcement);
            } catch (RuntimeException e) {
                target.close();
                throw e;
            }
            status.loaded(announcement);
            LOG.infof("target of run %s is now step %d (%s), loaded in %.0f ms", run, announcement.step(), dir,
                    (System.nanoTime() - started) / 1e6);
        } catch (IOException | RuntimeException e) {
            status.rejected(announcement, e.getMessage());
            LOG.warnf("keeping target step %s: cannot load step %d of run %s from %s: %s",
                    room.target().map(a -> Long.toString(a.step())).orElse("none"), announcement.step(), run,
                    announcement.uri(), e.getMessage());
        }
    }

    /** Announcements name a folder by URI; only local (file:) folders can be loaded here. */
    static Path localDir(String uri) throws IOException {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("not a URI: " + uri);
        }
        if (!"file".equals(parsed.getScheme())) {
            throw new IOException("only file: checkpoint URIs can be loaded, got " + uri);
        }
        return Path.of(parsed);
    }

    private static CheckpointAnnouncement read(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null; // a tombstone: the run's announcements were deleted
        }
        try {
            return Json.read(record.value(), CheckpointAnnouncement.class);
        } catch (RuntimeException e) {
            LOG.warnf("skipping unreadable announcement at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }
}
