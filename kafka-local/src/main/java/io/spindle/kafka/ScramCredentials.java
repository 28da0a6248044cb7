package io.spindle.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SASL/SCRAM-SHA-512 users of an embedded broker: formatted into its metadata log (KRaft keeps SCRAM
 * credentials there), and the settings the broker and its clients need to use them.
 */
record ScramCredentials(String adminUser, String adminPassword, Map<String, String> users) {

    static final String MECHANISM = "SCRAM-SHA-512";

    ScramCredentials {
        users = new LinkedHashMap<>(users);
        users.putIfAbsent(adminUser, adminPassword);
        if (!adminPassword.equals(users.get(adminUser))) {
            throw new IllegalArgumentException("the admin '" + adminUser + "' has two passwords");
        }
        users = Map.copyOf(users);
        for (String name : users.keySet()) {
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("SCRAM user names here are [A-Za-z0-9._-]+, got '" + name + "'");
            }
        }
    }

    /** {@code --add-scram} arguments for {@code kafka-storage format}. */
    List<String> formatArguments() {
        List<String> args = new ArrayList<>();
        users.forEach((name, password) -> {
            args.add("--add-scram");
            args.add(MECHANISM + "=[name=" + name + ",password=" + password + "]");
        });
        return args;
    }

    /** The broker authenticates its own inter-broker connections as the admin. */
    Map<String, String> brokerProperties() {
        return Map.of(
                "sasl.enabled.mechanisms", MECHANISM,
                "sasl.mechanism.inter.broker.protocol", MECHANISM,
                "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", jaas(adminUser, adminPassword));
    }

    Map<String, String> clientProperties(String user, String password) {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", jaas(user, password));
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}
