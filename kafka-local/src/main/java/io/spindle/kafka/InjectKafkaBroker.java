package io.spindle.kafka;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test field that {@link KafkaBrokerResource} fills: a {@code String} gets the bootstrap address
 * (either kind of broker); an {@link EmbeddedKafkaBroker} gets the broker when the embedded one was started
 * (null under Testcontainers).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectKafkaBroker {
}
