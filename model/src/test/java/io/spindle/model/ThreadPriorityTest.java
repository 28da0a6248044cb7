package io.spindle.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ThreadPriorityTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void lowersOnlyTheCallingThreadAndWhatItStarts() throws Exception {
        int before = niceOfThisThread();
        AtomicReference<OptionalInt> set = new AtomicReference<>();
        AtomicInteger seen = new AtomicInteger(-100);
        AtomicInteger child = new AtomicInteger(-100);
        AtomicReference<OptionalInt> raisedBack = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            set.set(ThreadPriority.lowerCurrentThread(7));
            seen.set(niceOfThisThreadUnchecked());
            Thread started = new Thread(() -> child.set(niceOfThisThreadUnchecked()));
            started.start();
            joinUnchecked(started);
            raisedBack.set(ThreadPriority.lowerCurrentThread(2)); // lower than now: left as it is
        });
        thread.start();
        thread.join();

        assertEquals(OptionalInt.of(7), set.get());
        assertEquals(7, seen.get(), "the kernel's view of the thread");
        assertEquals(7, child.get(), "a thread it starts inherits it, as PyTorch's OpenMP workers do");
        assertEquals(OptionalInt.of(7), raisedBack.get());
        assertEquals(before, niceOfThisThread(), "other threads keep theirs");
    }

    @Test
    void refusesValuesOutsideNiceRange() {
        assertThrows(IllegalArgumentException.class, () -> ThreadPriority.lowerCurrentThread(20));
        assertThrows(IllegalArgumentException.class, () -> ThreadPriority.lowerCurrentThread(-1));
    }

    /** Field 19 of /proc/thread-self/stat; fields are counted after the command name, which may hold spaces. */
    private static int niceOfThisThread() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(afterName[16]); // field 3 is afterName[0]
    }

    private static int niceOfThisThreadUnchecked() {
        try {
            return niceOfThisThread();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void joinUnchecked(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
