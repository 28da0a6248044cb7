package io.spindle.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Lowers the CPU priority (raises the Linux nice value) of the calling thread, so the work it does takes
 * only CPU time that nothing else wants. Work that must never slow the trainer, such as the drafter's
 * checkpoint writes after a BUSY, runs on such a thread.
 *
 * <p>Java's own thread priorities are ignored on Linux unless the JVM runs with special flags, so this calls
 * {@code setpriority(2)} through JNA, on the thread's own id (Linux keeps a nice value per thread). Threads
 * the calling thread starts afterwards, PyTorch's OpenMP workers among them, inherit it. Raising a nice
 * value needs no privilege; lowering it back does, so this is one-way: use a thread dedicated to such work.
 * Elsewhere than Linux, or without libc, it does nothing and says why.
 */
public final class ThreadPriority {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadPriority.class);
    private static final int PRIO_PROCESS = 0; // with a thread id: that one thread

    private ThreadPriority() {
    }

    private interface LibC extends Library {
        int setpriority(int which, int who, int prio);

        int getpriority(int which, int who);
    }

    /** Returns {@code nice} if it is a nice value this can set (0..19); otherwise fails naming {@code key}. */
    public static int requireNice(String key, int nice) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException(key + " must be 0..19, was " + nice);
        }
        return nice;
    }

    /**
     * Sets the calling thread's nice value to {@code nice} (0..19; higher yields more) if it is lower now.
     * Returns the nice value in effect afterwards, or empty if it cannot be read or set here.
     */
    public static OptionalInt lowerCurrentThread(int nice) {
        requireNice("nice", nice);
        try {
            int tid = Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
            LibC libc = Native.load("c", LibC.class);
            int now = libc.getpriority(PRIO_PROCESS, tid);
            if (now < nice && libc.setpriority(PRIO_PROCESS, tid, nice) != 0) {
                LOG.warn("cannot set nice {} on thread {} (errno {}); it stays at {}", nice,
                        Thread.currentThread().getName(), Native.getLastError(), now);
                return OptionalInt.of(now);
            }
            return OptionalInt.of(libc.getpriority(PRIO_PROCESS, tid));
        } catch (Exception | LinkageError e) {
            LOG.warn("cannot lower the priority of thread {} here ({}); it keeps its priority",
                    Thread.currentThread().getName(), e.toString());
            return OptionalInt.empty();
        }
    }
}
