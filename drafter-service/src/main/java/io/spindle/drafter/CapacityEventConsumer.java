package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Feeds every capacity event into {@link IdleWindows}. The drafter's spot training will hook in here. */
@ApplicationScoped
public class CapacityEventConsumer {

    private static final Logger LOG = Logger.getLogger(CapacityEventConsumer.class);

    @Inject
    IdleWindows windows;

    @Inject
    IdleWindowMetrics metrics;

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
        metrics.track(event.worker());
        LOG.debugf("%s -> %s", event, effect);
    }
}
