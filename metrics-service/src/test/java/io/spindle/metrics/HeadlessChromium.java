package io.spindle.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.contracts.json.Json;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol (JDK HTTP + WebSocket, no driver binary):
 * evaluate JavaScript in the page and take screenshots. Installed by {@code .ci/deps/chromium.sh}.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Duration START_WAIT = Duration.ofSeconds(60);

    private final Process process;
    private final Path userDataDir;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** The Chromium binary: {@code SPINDLE_CHROMIUM}, else chromium / chromium-browser on the PATH. */
    static Optional<Path> find() {
        String configured = System.getenv("SPINDLE_CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser"}) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    HeadlessChromium(Path binary, String url, int width, int height) throws Exception {
        userDataDir = Files.createTempDirectory("spindle-chromium-");
        Path log = userDataDir.resolveSibling(userDataDir.getFileName() + ".log");
        process = new ProcessBuilder(binary.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + userDataDir, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--window-size=" + width + "," + height, "--hide-scrollbars", url)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int port = devToolsPort();
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode target : targets) {
            if ("page".equals(target.path("type").asText())) {
                page = target.path("webSocketDebuggerUrl").asText();
            }
        }
        if (page == null) {
            throw new IllegalStateException("Chromium shows no page target: " + targets);
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new Listener()).get(30, TimeUnit.SECONDS);
    }

    private int devToolsPort() throws Exception {
        Path portFile = userDataDir.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(portFile)) {
                String first = Files.readString(portFile).lines().findFirst().orElse("");
                if (!first.isBlank()) {
                    return Integer.parseInt(first.trim());
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Chromium exited with " + process.exitValue());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Chromium did not open its DevTools port within " + START_WAIT);
    }

    /** Evaluates {@code expression} in the page; its value, as JSON. */
    JsonNode evaluate(String expression) throws Exception {
        ObjectNode params = Json.MAPPER.createObjectNode().put("expression", expression).put("returnByValue", true)
                .put("awaitPromise", true);
        JsonNode result = call("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("page threw: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    void screenshot(Path png) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", Json.MAPPER.createObjectNode().put("format", "png"));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = Json.MAPPER.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(Json.MAPPER.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
        JsonNode reply = answer.get(30, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = Json.MAPPER.readTree(partial.toString());
                    CompletableFuture<JsonNode> waiting = message.has("id") ? pending.remove(message.get("id").asInt()) : null;
                    if (waiting != null) {
                        waiting.complete(message);
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            socket.abort();
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> files = Files.walk(userDataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
