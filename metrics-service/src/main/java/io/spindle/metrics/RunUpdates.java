package io.spindle.metrics;

/** Who wants to hear about a run as the stream processes it (the SSE stream). Called on stream threads: be quick. */
public interface RunUpdates {

    /** A de-duplicated event, as soon as it is processed. */
    void event(RunEvent event);

    /** The run's summary after the cache flushed it (every commit interval). */
    void summary(RunSummary summary);

    RunUpdates NONE = new RunUpdates() {
        @Override
        public void event(RunEvent event) {
        }

        @Override
        public void summary(RunSummary summary) {
        }
    };
}
