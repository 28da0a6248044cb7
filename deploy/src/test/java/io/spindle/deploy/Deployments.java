package io.spindle.deploy;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks shared by compose and k8s: environment that configures a service the way its code reads it. */
final class Deployments {

    /** The glibc malloc settings processes that run DJL get (DESIGN §6; the parent pom's test JVMs too). */
    static final String GLIBC_TUNABLES = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736";

    private Deployments() {
    }

    /** Every SPINDLE_* variable sets a config key the service knows: a typo would be silently ignored. */
    static void assertKnownSpindleKeys(SpindleService s, Collection<String> envNames, String where) {
        Set<String> known = new TreeSet<>();
        s.knownConfigKeys().forEach(k -> known.add(SpindleService.envName(k)));
        for (String name : envNames) {
            if (name.startsWith("SPINDLE_") || name.startsWith("KAFKA_STREAMS_")) {
                assertTrue(known.contains(name), where + ": " + name + " sets no config key of " + s.module
                        + " (known: " + known.stream().filter(k -> k.startsWith("SPINDLE_")
                        || k.startsWith("KAFKA_STREAMS_")).toList() + ")");
            }
            if (name.startsWith("QUARKUS_KAFKA_STREAMS_")) {
                assertTrue(s.streamsApplicationId().isPresent(), where + ": " + name + " but " + s.module
                        + " runs no Kafka Streams");
            }
        }
    }

    /** DJL's cache where DJL runs; the malloc tuning where its engine runs. */
    static void assertDjlSettings(SpindleService s, Map<String, String> env, String where) {
        if (s.runsDjlEngine()) {
            assertEquals("1", env.get("MALLOC_ARENA_MAX"), where + ": MALLOC_ARENA_MAX");
            assertEquals(GLIBC_TUNABLES, env.get("GLIBC_TUNABLES"), where + ": GLIBC_TUNABLES");
        }
        if (s.runsDjlEngine() || s == SpindleService.TOKENIZER) {
            assertTrue(env.containsKey("DJL_CACHE_DIR"), where + ": DJL_CACHE_DIR (DJL unpacks natives there)");
        }
    }

    /**
     * Directories the service writes to: /tmp and every *_DIR variable. Each key whose default lies
     * under ${user.home} (Streams state, checkpoints) must be set: a read-only root filesystem has no
     * writable home, and a container's home is lost with it.
     */
    static Set<String> writableDirs(SpindleService s, Map<String, String> env, String where) {
        for (String key : s.homeDirDefaults()) {
            assertTrue(env.containsKey(SpindleService.envName(key)),
                    where + ": " + SpindleService.envName(key) + " must point at a volume (" + key + " defaults under ${user.home})");
        }
        Set<String> dirs = new TreeSet<>();
        dirs.add("/tmp");
        env.forEach((name, value) -> {
            if (name.endsWith("_DIR")) {
                dirs.add(value);
            }
        });
        return dirs;
    }

    static void assertWritableDirsAndDjl(SpindleService s, Map<String, String> env, Set<String> mounts, String where) {
        assertDjlSettings(s, env, where);
        Set<String> dirs = writableDirs(s, env, where);
        if (!mounts.isEmpty()) {
            for (String dir : dirs) {
                assertTrue(mounts.stream().anyMatch(m -> dir.equals(m) || dir.startsWith(m + "/")),
                        where + ": " + dir + " must be on a volume (read-only root filesystem); mounts: " + mounts);
            }
        }
    }
}
