package io.spindle.kafka;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Starts one {@link EmbeddedKafkaBroker} for the test class (through {@link EmbeddedKafkaExtension}) and lets
 * the class tune it. Plain {@code @ExtendWith(EmbeddedKafkaExtension.class)} gives the defaults.
 *
 * <pre>{@code
 * @EmbeddedKafka(partitions = "train.batches=1")
 * class MyTest {
 *     @Test void t(EmbeddedKafkaBroker kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(EmbeddedKafkaExtension.class)
public @interface EmbeddedKafka {

    /** {@code topic=N} partition overrides for the registry topics. */
    String[] partitions() default {};

    /** {@code key=value} broker properties. */
    String[] properties() default {};

    /** Create the registry topics ({@code Topics.ALL}) before the tests (default true). */
    boolean registryTopics() default true;
}
