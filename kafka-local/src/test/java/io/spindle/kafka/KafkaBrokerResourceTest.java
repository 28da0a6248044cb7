package io.spindle.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager.TestInjector;
import io.spindle.contracts.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The Quarkus test resource driven by hand, as Quarkus would (no Docker here: the embedded broker). */
class KafkaBrokerResourceTest {

    static class FakeTest {
        @InjectKafkaBroker
        String bootstrap;
        @InjectKafkaBroker
        EmbeddedKafkaBroker broker;
        String untouched;
    }

    @Test
    void startsEmbeddedBrokerWithRegistryTopicsAndReturnsConfig() throws Exception {
        KafkaBrokerResource resource = new KafkaBrokerResource();
        resource.init(Map.of("testcontainers", "never", "partitions.train.batches", "1"));
        try {
            Map<String, String> config = resource.start();
            String bootstrap = config.get("kafka.bootstrap.servers");
            assertNotNull(bootstrap);
            assertEquals(bootstrap, config.get("quarkus.kafka-streams.bootstrap-servers"));
            assertEquals(bootstrap, config.get("mp.messaging.connector.smallrye-kafka.bootstrap.servers"));
            assertEquals(bootstrap, KafkaBrokerResource.bootstrapServers());
            assertNotNull(resource.embeddedBroker());

            FakeTest test = new FakeTest();
            resource.inject(new TestInjector() {
                @Override
                public void injectIntoFields(Object value, Predicate<Field> predicate) {
                    for (Field f : FakeTest.class.getDeclaredFields()) {
                        if (predicate.test(f)) {
                            try {
                                f.set(test, value);
                            } catch (IllegalAccessException e) {
                                throw new AssertionError(e);
                            }
                        }
                    }
                }
            });
            assertEquals(bootstrap, test.bootstrap);
            assertSame(resource.embeddedBroker(), test.broker);
            assertNull(test.untouched);

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                var topics = admin.describeTopics(java.util.List.of(Topics.TRAIN_BATCHES, Topics.CORPUS_DOCUMENTS))
                        .allTopicNames().get();
                assertEquals(1, topics.get(Topics.TRAIN_BATCHES).partitions().size());
                assertEquals(Topics.spec(Topics.CORPUS_DOCUMENTS).partitions(),
                        topics.get(Topics.CORPUS_DOCUMENTS).partitions().size());
            }
        } finally {
            resource.stop();
        }
        assertNull(KafkaBrokerResource.bootstrapServers());
    }
}
