package io.spindle.contracts;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicsTest {

    @Test
    void everyTopicOfTheDesignIsRegisteredOnce() {
        Set<String> names = new HashSet<>();
        Topics.ALL.forEach(spec -> assertTrue(names.add(spec.name()), "duplicate " + spec.name()));
        assertEquals(Set.of(Topics.CORPUS_DOCUMENTS, Topics.CORPUS_REJECTED, Topics.TRAIN_BATCHES, Topics.TRAIN_METRICS,
                Topics.TRAIN_CHECKPOINTS, Topics.CAPACITY_EVENTS, Topics.DRAFTER_METRICS, Topics.DRAFTER_CHECKPOINTS), names);
    }

    @Test
    void checkpointTopicsAreCompactedAndKeptForever() {
        for (String name : new String[] {Topics.TRAIN_CHECKPOINTS, Topics.DRAFTER_CHECKPOINTS}) {
            Topics.TopicSpec spec = Topics.spec(name);
            assertEquals("compact", spec.configs().get("cleanup.policy"));
            assertEquals("-1", spec.configs().get("retention.ms"));
        }
        assertEquals("delete", Topics.spec(Topics.TRAIN_BATCHES).configs().get("cleanup.policy"));
    }

    @Test
    void unknownTopicIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Topics.spec("nope"));
        assertTrue(e.getMessage().contains("nope"));
    }
}
