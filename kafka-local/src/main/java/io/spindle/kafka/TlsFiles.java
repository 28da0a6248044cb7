package io.spindle.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A broker's TLS identity: a PKCS12 keystore with its key and certificate, and a PKCS12 truststore with that
 * certificate for clients. {@link #selfSigned} makes both with the JDK's own {@code keytool}, nothing
 * downloaded; the certificate names 127.0.0.1 and localhost, so clients verify the host as usual.
 */
public record TlsFiles(Path keystore, Path truststore, String password) {

    private static final String ALIAS = "spindle-kafka";
    private static final Duration KEYTOOL_WAIT = Duration.ofSeconds(60);

    /** A fresh self-signed key pair in {@code dir} (keystore.p12, truststore.p12), valid for 30 days. */
    public static TlsFiles selfSigned(Path dir) {
        try {
            Files.createDirectories(dir);
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            Path keystore = dir.resolve("keystore.p12");
            Path truststore = dir.resolve("truststore.p12");
            Path certificate = dir.resolve("broker.crt");
            for (Path p : List.of(keystore, truststore, certificate)) {
                Files.deleteIfExists(p);
            }
            keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "30",
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-alias", ALIAS, "-keystore", keystore.toString(), "-storepass", password,
                    "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
                    "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", password);
            return new TlsFiles(keystore, truststore, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The broker's side: its key for the SSL listener, and the truststore for its own connections to itself. */
    Map<String, String> brokerProperties() {
        return Map.of(
                "ssl.keystore.location", keystore.toString(),
                "ssl.keystore.password", password,
                "ssl.key.password", password,
                "ssl.keystore.type", "PKCS12",
                "ssl.truststore.location", truststore.toString(),
                "ssl.truststore.password", password,
                "ssl.truststore.type", "PKCS12");
    }

    /** What a client sets to connect: plain Kafka client configuration, nothing else. */
    public Map<String, String> clientProperties() {
        return Map.of(
                "security.protocol", "SSL",
                "ssl.truststore.location", truststore.toString(),
                "ssl.truststore.password", password,
                "ssl.truststore.type", "PKCS12");
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output;
            try (var in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(KEYTOOL_WAIT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for keytool", e);
        }
    }
}
