package io.spindle.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpindleTest {

    @Test
    void usageAndBadCommandsExitNonZeroWithHelp() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(2, Spindle.run(new String[0], out));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("demo [--steps N] [--exit]"));
        assertEquals(0, Spindle.run(new String[] {"--help"}, out));
        assertEquals(2, Spindle.run(new String[] {"launch"}, out));
        assertEquals(1, Spindle.run(new String[] {"feed"}, out), "feed without paths");
        assertEquals(1, Spindle.run(new String[] {"demo", "--warp"}, out), "unknown option");
    }
}
