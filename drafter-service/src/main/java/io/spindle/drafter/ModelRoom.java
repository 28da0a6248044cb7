package io.spindle.drafter;

import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.model.GptTrainer;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The models this service holds, the target it follows and the drafter it trains, behind one lock:
 * neither {@link GptTrainer} nor a drafter is thread-safe, and the spot trainer's thread, the target
 * follower and HTTP requests all reach them. Whoever holds the room may use both; a replaced target is
 * closed inside the room, so nobody can still be using it.
 */
public final class ModelRoom {

    /** What may be done with the models while holding the room; either may be null (not there yet). */
    @FunctionalInterface
    public interface Use<T> {
        T apply(GptTrainer target, DrafterModel drafter);
    }

    /** Fair, so a long generation cannot starve the spot trainer's short steps for good, nor the reverse. */
    private final ReentrantLock lock = new ReentrantLock(true);
    private GptTrainer target;
    private DrafterModel drafter;
    private volatile CheckpointAnnouncement targetAnnouncement;

    public <T> T use(Use<T> body) {
        lock.lock();
        try {
            return body.apply(target, drafter);
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #use}, but gives up after {@code wait} (the spot trainer must keep checking for a BUSY). */
    public <T> Optional<T> tryUse(Duration wait, Use<T> body) throws InterruptedException {
        if (!lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(body.apply(target, drafter));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes {@code newer} the target, hands it to the drafter, and closes the one it replaces. If the drafter
     * refuses it (another shape), nothing changes and the exception tells why; {@code newer} is the caller's.
     */
    public void installTarget(GptTrainer newer, CheckpointAnnouncement announcement) {
        lock.lock();
        try {
            if (drafter != null) {
                drafter.retarget(newer);
            }
            GptTrainer old = target;
            target = newer;
            targetAnnouncement = announcement;
            if (old != null) {
                old.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The announcement of the target in use; empty before the first one is loaded. Lock-free, for status. */
    public Optional<CheckpointAnnouncement> target() {
        return Optional.ofNullable(targetAnnouncement);
    }

    void installDrafter(DrafterModel model) {
        lock.lock();
        try {
            drafter = model;
            if (target != null) {
                model.retarget(target);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the drafter out before its owner closes it. */
    void removeDrafter(DrafterModel model) {
        lock.lock();
        try {
            if (drafter == model) {
                drafter = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the target at shutdown. */
    void closeTarget() {
        lock.lock();
        try {
            if (target != null) {
                target.close();
                target = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
