package io.spindle.metrics;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.StepMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Windows follow the time an event happened (its {@code time} field), not when it reached Kafka, so a
 * trainer's buffered or re-sent metrics land in the windows they belong to. Falls back to the record's
 * timestamp for anything else (unreadable values are dropped later anyway).
 */
public class EventTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Object value = record.value();
        long time = -1;
        if (value instanceof StepMetrics step) {
            time = step.time();
        } else if (value instanceof CapacityEvent event) {
            time = event.time();
        } else if (value instanceof DrafterMetrics drafter) {
            time = drafter.time();
        }
        return time > 0 ? time : Math.max(record.timestamp(), 0);
    }
}
