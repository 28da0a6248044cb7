package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Feeds every capacity event into {@link IdleWindows} and the spot trainer's {@link SpotGate}. */
@ApplicationScoped
public class CapacityEventConsumer {

    private static final Logger LOG = Logger.getLogger(CapacityEventConsumer.class);

    @Inject
    IdleWindows windows;

    @Inject
    IdleWindowMetrics metrics;

    @Inject
    SpotGate gate;

    @Incoming("capacity-events")
    public void onEvent(CapacityEvent event) {
        if (event == null) {
            return; // unreadable: already logged and counted by UnreadableCapacityEventHandler
        }
        if (event.worker() == null) {
            LOG.warnf("skipping capacity event without a worker: %s", event);
            metrics.skipped();
            return;
        }
        IdleWindows.Effect effect = windows.apply(event);
        if (effect != IdleWindows.Effect.STALE) {
            gate.onEvent(event); // a re-delivered old event must not reopen the gate
        }
        metrics.track(event.worker());
        LOG.debugf("%s -> %s", event, effect);
    }
}
