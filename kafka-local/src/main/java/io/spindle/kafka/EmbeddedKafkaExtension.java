package io.spindle.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension: one real {@link EmbeddedKafkaBroker} per test class, with the registry topics, closed after
 * the class. Resolves {@link EmbeddedKafkaBroker} parameters of constructors, lifecycle methods and tests.
 * A {@code @Nested} class shares its enclosing class's broker. Configure with {@link EmbeddedKafka}.
 */
public class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);
    private static final String KEY = "broker";

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // remove() only looks at this context's own store: a @Nested class does not close its parent's broker.
        EmbeddedKafkaBroker broker = context.getStore(NAMESPACE).remove(KEY, EmbeddedKafkaBroker.class);
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker(extensionContext);
    }

    /** The broker for this context's test class, started on first use (constructor injection may come first). */
    static synchronized EmbeddedKafkaBroker broker(ExtensionContext context) {
        EmbeddedKafkaBroker existing = context.getStore(NAMESPACE).get(KEY, EmbeddedKafkaBroker.class);
        if (existing != null) {
            return existing;
        }
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        EmbeddedKafka config = testClass.getAnnotation(EmbeddedKafka.class);
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder();
        if (config != null) {
            for (String p : config.partitions()) {
                String[] kv = split(p, "partitions");
                builder.partitions(kv[0], Integer.parseInt(kv[1].trim()));
            }
            for (String p : config.properties()) {
                String[] kv = split(p, "properties");
                builder.property(kv[0], kv[1]);
            }
        }
        EmbeddedKafkaBroker broker = builder.start();
        try {
            if (config == null || config.registryTopics()) {
                broker.createRegistryTopics();
            }
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        classContext.getStore(NAMESPACE).put(KEY, broker);
        return broker;
    }

    private static String[] split(String keyValue, String attribute) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) {
            throw new ParameterResolutionException("@EmbeddedKafka " + attribute + " wants key=value, got " + keyValue);
        }
        return new String[] {keyValue.substring(0, eq).trim(), keyValue.substring(eq + 1).trim()};
    }
}
