package io.spindle.deploy;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The services' Dockerfile.jvm: the Quarkus fast-jar layout from the build context compose uses, a
 * non-root user, the service's port and health check, DJL's cache and malloc settings where DJL runs,
 * and a .dockerignore that lets through exactly what they copy.
 */
class DockerfileTest {

    record Instruction(String keyword, String args) {
    }

    /** Instructions with continuation lines joined and comments dropped. */
    static List<Instruction> instructions(String dockerfile) {
        List<Instruction> list = new ArrayList<>();
        String joined = dockerfile.replaceAll("(?m)^\\s*#.*\\n", "").replaceAll("\\\\\\n", " ");
        for (String line : joined.split("\\n")) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty()) {
                String[] parts = trimmed.split("\\s+", 2);
                list.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""));
            }
        }
        return list;
    }

    /** ENV values, KEY=VALUE pairs (quotes removed). */
    static Map<String, String> env(List<Instruction> instructions) {
        Map<String, String> env = new LinkedHashMap<>();
        Pattern pair = Pattern.compile("(\\w+)=(\"[^\"]*\"|'[^']*'|\\S+)");
        instructions.stream().filter(i -> i.keyword().equals("ENV")).forEach(i -> {
            Matcher m = pair.matcher(i.args());
            while (m.find()) {
                env.put(m.group(1), m.group(2).replaceAll("^[\"']|[\"']$", ""));
            }
        });
        return env;
    }

    private static Stream<DynamicTest> perService(java.util.function.BiConsumer<SpindleService, List<Instruction>> check) {
        return Arrays.stream(SpindleService.values()).map(s -> DynamicTest.dynamicTest(s.module, () -> {
            assertTrue(Files.isRegularFile(s.dockerfile()), s.dockerfile() + " exists");
            check.accept(s, instructions(Repo.read(s.dockerfile())));
        }));
    }

    @TestFactory
    Stream<DynamicTest> fastJarLayoutFromTheRepositoryRoot() {
        return perService((s, ins) -> {
            assertTrue(ins.get(0).keyword().equals("FROM"), s.module + ": starts FROM a JVM runtime image");
            List<String> sources = ins.stream().filter(i -> i.keyword().equals("COPY"))
                    .map(i -> i.args().replaceAll("--\\S+\\s+", "").split("\\s+")[0]).toList();
            for (String dir : List.of("lib/", "*.jar", "app/", "quarkus/")) {
                assertTrue(sources.contains(s.module + "/target/quarkus-app/" + dir), s.module + " copies quarkus-app/" + dir);
            }
            String ignore = Repo.read(".dockerignore");
            for (String source : sources) {
                String root = source.startsWith(s.module) ? s.module + "/target/quarkus-app/" : source;
                assertTrue(ignore.contains("!" + root), ".dockerignore lets " + root + " into the build context");
            }
            assertEquals("/deployments/quarkus-run.jar", env(ins).get("JAVA_APP_JAR"), s.module + ": runs the fast-jar");
        });
    }

    @TestFactory
    Stream<DynamicTest> nonRootWithThePortAndHealthCheck() {
        return perService((s, ins) -> {
            List<String> users = ins.stream().filter(i -> i.keyword().equals("USER")).map(Instruction::args).toList();
            assertFalse(users.isEmpty(), s.module + ": sets a USER");
            String last = users.get(users.size() - 1).split(":")[0];
            assertFalse(last.equals("root") || last.equals("0"), s.module + ": runs as non-root, not " + last);
            assertTrue(ins.stream().anyMatch(i -> i.keyword().equals("EXPOSE") && i.args().equals(String.valueOf(s.httpPort()))),
                    s.module + ": EXPOSE " + s.httpPort());
            assertTrue(ins.stream().anyMatch(i -> i.keyword().equals("HEALTHCHECK")
                            && i.args().contains("http://localhost:" + s.httpPort() + "/q/health/live")),
                    s.module + ": HEALTHCHECK on /q/health/live at " + s.httpPort());
        });
    }

    @TestFactory
    Stream<DynamicTest> djlSettingsWhereDjlRuns() {
        return perService((s, ins) -> {
            Map<String, String> env = env(ins);
            Deployments.assertDjlSettings(s, env, s.module + " Dockerfile");
            Deployments.assertKnownSpindleKeys(s, env.keySet(), s.module + " Dockerfile");
            if (s.runsDjlEngine() || s == SpindleService.TOKENIZER) {
                assertTrue(env.get("JAVA_OPTS_APPEND").contains("-Dai.djl.offline=true"), s.module + ": DJL offline");
            }
            if (s == SpindleService.TOKENIZER) {
                String path = env.get("SPINDLE_TOKENIZER_PATH");
                assertTrue(ins.stream().anyMatch(i -> i.keyword().equals("COPY")
                        && i.args().endsWith("samples/tokenizer.json " + path)), "the image carries the sample tokenizer at " + path);
                assertTrue(Files.isRegularFile(Repo.path("samples/tokenizer.json")));
                assertEquals(path, Compose.load().environment("tokenizer").get("SPINDLE_TOKENIZER_PATH"), "compose uses it");
                K8s.all().forEach(k8s -> assertEquals(path,
                        new WorkloadTest.Workload(k8s, s).env().get("SPINDLE_TOKENIZER_PATH"), k8s.variant + " uses it"));
            }
        });
    }
}
