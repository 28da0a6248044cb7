package io.spindle.deploy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facts the consistency checks read from the services' sources are read right. */
class ServiceFactsTest {

    @Test
    void configMappingKeysIncludeNestedGroupsAndDefaults() {
        Map<String, String> keys = ConfigMappingKeys.of("""
                @ConfigMapping(prefix = "spindle.x")
                public interface XConfig {
                    /** Group. */
                    @WithDefault("g-1")
                    String groupId();

                    Optional<Double> peakFlops();

                    Store store();

                    interface Store {
                        // where
                        @WithDefault("${user.home}/s")
                        Path dir();
                    }
                }
                """);
        assertEquals(Map.of("spindle.x.group-id", "g-1", "spindle.x.peak-flops", "",
                "spindle.x.store.dir", "${user.home}/s"), keys);
    }

    @Test
    void theServicesFactsAreReadFromTheirSources() {
        assertEquals(8081, SpindleService.TOKENIZER.httpPort());
        assertEquals(List.of("spindle-tokenizer"), List.copyOf(SpindleService.TOKENIZER.consumerGroups()));
        assertTrue(SpindleService.TOKENIZER.exactlyOnce());
        assertTrue(SpindleService.TRAINER.consumerGroups().contains("spindle-trainer"), "default in code");
        assertTrue(SpindleService.DRAFTER.consumerGroups().contains("spindle-drafter"), "channel group.id");
        assertTrue(SpindleService.TOKENIZER.topicsUsed().contains("corpus.documents"));
    }

    @Test
    void aMisspelledSpindleVariableIsReported() {
        AssertionError e = assertThrows(AssertionError.class, () ->
                Deployments.assertKnownSpindleKeys(SpindleService.TRAINER, List.of("SPINDLE_TRAINER_GROUPID"), "test"));
        assertTrue(e.getMessage().contains("SPINDLE_TRAINER_GROUPID"), e.getMessage());
        Deployments.assertKnownSpindleKeys(SpindleService.TRAINER, List.of("SPINDLE_TRAINER_GROUP_ID"), "test");
    }
}
