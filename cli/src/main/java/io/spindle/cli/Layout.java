package io.spindle.cli;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where a local Spindle lives: the checkout it runs from, the folder for its logs, pids and data, and its
 * ports. The defaults are what {@code bin/spindle} uses; tests pick free ports and a temporary folder.
 */
record Layout(Path home, Path workDir, int kafkaPort, Map<Service, Integer> httpPorts) {

    static Layout defaults(Path home) {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        ports.put(Service.METRICS, 8080);
        ports.put(Service.TOKENIZER, 8081);
        ports.put(Service.TRAINER, 8082);
        ports.put(Service.DRAFTER, 8083);
        return new Layout(home, home.resolve(".spindle"), 9092, ports);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    String url(Service service) {
        return "http://127.0.0.1:" + httpPorts.get(service);
    }

    Path logs() {
        return workDir.resolve("logs");
    }

    Path log(Service service) {
        return logs().resolve(service.id + ".log");
    }

    Path pidFile(Service service) {
        return workDir.resolve("pids").resolve(service.id + ".pid");
    }

    Path kafkaData() {
        return workDir.resolve("kafka");
    }

    Path state(Service service) {
        return workDir.resolve("state").resolve(service.id);
    }

    Path checkpoints() {
        return workDir.resolve("checkpoints");
    }

    Path drafterCheckpoints() {
        return workDir.resolve("drafter-checkpoints");
    }

    Path samples() {
        return home.resolve("samples");
    }
}
