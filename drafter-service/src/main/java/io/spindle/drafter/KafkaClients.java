package io.spindle.drafter;

import java.util.HashMap;
import java.util.Map;

/** Client settings: the application's shared {@code kafka.*} settings, plus what one client adds. */
final class KafkaClients {

    private KafkaClients() {
    }

    static Map<String, Object> with(Map<String, Object> shared, Map<String, Object> own) {
        Map<String, Object> merged = new HashMap<>(shared);
        merged.putAll(own);
        return merged;
    }
}
