package io.spindle.drafter;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import io.spindle.contracts.CapacityEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * Logs and counts a {@code capacity.events} record that is not a readable {@link CapacityEvent}, and
 * lets it through without a payload so the consumer skips it. Without a handler the connector would
 * drop such records silently.
 */
@ApplicationScoped
@Identifier(UnreadableCapacityEventHandler.NAME)
public class UnreadableCapacityEventHandler implements DeserializationFailureHandler<CapacityEvent> {

    /** Referenced by {@code value-deserialization-failure-handler} in application.properties. */
    public static final String NAME = "unreadable-capacity-event";

    private static final Logger LOG = Logger.getLogger(UnreadableCapacityEventHandler.class);
    private static final int PREVIEW_BYTES = 200;

    @Inject
    IdleWindowMetrics metrics;

    @Override
    public CapacityEvent handleDeserializationFailure(String topic, boolean isKey, String deserializer, byte[] data,
                                                      Exception exception, Headers headers) {
        LOG.warnf("skipping unreadable record on %s (%s): %s", topic, exception.getMessage(), preview(data));
        metrics.skipped();
        return null;
    }

    private static String preview(byte[] data) {
        if (data == null) {
            return "<null>";
        }
        String text = new String(data, 0, Math.min(data.length, PREVIEW_BYTES), StandardCharsets.UTF_8);
        return data.length > PREVIEW_BYTES ? text + "..." : text;
    }
}
