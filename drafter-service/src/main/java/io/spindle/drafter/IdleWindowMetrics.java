package io.spindle.drafter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus view of {@link IdleWindows}: per worker, idle milliseconds seen
 * ({@code spindle_drafter_worker_idle_ms_total}) and whether it is idle now
 * ({@code spindle_drafter_worker_idle}); plus a count of capacity events skipped as unreadable.
 */
@Singleton
public class IdleWindowMetrics {

    private final MeterRegistry registry;
    private final IdleWindows windows;
    private final Set<String> trackedWorkers = ConcurrentHashMap.newKeySet();
    private final Counter skipped;

    @Inject
    public IdleWindowMetrics(MeterRegistry registry, IdleWindows windows) {
        this.registry = registry;
        this.windows = windows;
        this.skipped = Counter.builder("spindle.drafter.capacity.events.skipped")
                .description("Capacity events skipped because they could not be read")
                .register(registry);
    }

    /** Registers the worker's meters the first time it is seen; the meters read {@link IdleWindows} live. */
    public void track(String worker) {
        if (trackedWorkers.add(worker)) {
            FunctionCounter.builder("spindle.drafter.worker.idle.ms", windows, w -> w.totalIdleMs(worker))
                    .description("Idle time of the worker's closed idle windows, ms")
                    .tag("worker", worker)
                    .register(registry);
            Gauge.builder("spindle.drafter.worker.idle", windows, w -> w.isIdle(worker) ? 1 : 0)
                    .description("1 while the worker has an open idle window")
                    .tag("worker", worker)
                    .strongReference(true)
                    .register(registry);
        }
    }

    public void skipped() {
        skipped.increment();
    }
}
