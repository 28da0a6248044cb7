package io.spindle.drafter;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.spindle.kafka.KafkaBrokerResource;

import java.util.Map;

/**
 * Every {@link GenerateTest} case again with the EAGLE drafter (the production default): it is built when
 * the first target arrives, carried over to the newer target, and drafts over the target's own features;
 * greedy speculative output must still equal the target's.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@TestProfile(GenerateEagleTest.Eagle.class)
class GenerateEagleTest extends GenerateTest {

    public static final class Eagle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spindle.drafter.spot.kind", "eagle", "spindle.drafter.run", "run-eagle");
        }
    }
}
