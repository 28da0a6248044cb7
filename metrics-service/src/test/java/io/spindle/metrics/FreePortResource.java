package io.spindle.metrics;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Gives the app under test a free HTTP port that it also advertises as its Kafka Streams
 * {@code application.server}, so another instance can forward interactive queries to it.
 */
public class FreePortResource implements QuarkusTestResourceLifecycleManager {

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> start() {
        int port = freePort();
        return Map.of("quarkus.http.test-port", String.valueOf(port),
                "kafka-streams.application.server", "127.0.0.1:" + port);
    }

    @Override
    public void stop() {
    }
}
