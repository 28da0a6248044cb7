package io.spindle.metrics;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps one (run, worker) has reported, as disjoint ranges sorted by step, each with the event time of its
 * newest step. A trainer reports its steps in order, so this is one range however long the run: the state that
 * makes steps idempotent is a few bytes per worker and, cached, one changelog record per worker and commit,
 * where a key per step cost a changelog record per step and a scan of every step to forget old ones.
 *
 * @param ranges disjoint, not adjacent, sorted by {@link Range#first}
 */
record SeenSteps(List<Range> ranges) {

    /** Steps {@code first..last}, all seen; {@code newestTime} is the latest event time among them. */
    record Range(long first, long last, long newestTime) {
    }

    static final SeenSteps NONE = new SeenSteps(List.of());

    /** Compact binary (count, then first/last/newestTime per range): rewritten on every step, so no JSON. */
    static final Serde<SeenSteps> SERDE = Serdes.serdeFrom((topic, seen) -> seen == null ? null : seen.toBytes(),
            (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

    SeenSteps {
        ranges = List.copyOf(ranges);
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    boolean contains(long step) {
        return search(step) >= 0;
    }

    /** These steps and {@code step} (not yet contained), seen at {@code time}: joined to a neighbouring range when adjacent. */
    SeenSteps with(long step, long time) {
        int at = -search(step) - 1;
        List<Range> next = new ArrayList<>(ranges);
        Range before = at > 0 ? next.get(at - 1) : null;
        Range after = at < next.size() ? next.get(at) : null;
        boolean extendsBefore = before != null && before.last() + 1 == step;
        boolean extendsAfter = after != null && after.first() - 1 == step;
        if (extendsBefore && extendsAfter) {
            next.set(at - 1, new Range(before.first(), after.last(),
                    Math.max(time, Math.max(before.newestTime(), after.newestTime()))));
            next.remove(at);
        } else if (extendsBefore) {
            next.set(at - 1, new Range(before.first(), step, Math.max(time, before.newestTime())));
        } else if (extendsAfter) {
            next.set(at, new Range(step, after.last(), Math.max(time, after.newestTime())));
        } else {
            next.add(at, new Range(step, step, time));
        }
        return new SeenSteps(next);
    }

    /** Without the ranges whose newest step is older than {@code horizon}; this same object when none is. */
    SeenSteps forgetOlderThan(long horizon) {
        List<Range> kept = ranges.stream().filter(range -> range.newestTime() >= horizon).toList();
        return kept.size() == ranges.size() ? this : new SeenSteps(kept);
    }

    /** The index of the range holding {@code step}, or {@code -(insertion point) - 1}. */
    private int search(long step) {
        int low = 0;
        int high = ranges.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            Range range = ranges.get(mid);
            if (step < range.first()) {
                high = mid - 1;
            } else if (step > range.last()) {
                low = mid + 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    private byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(Integer.BYTES + ranges.size() * 3 * Long.BYTES);
        out.putInt(ranges.size());
        for (Range range : ranges) {
            out.putLong(range.first()).putLong(range.last()).putLong(range.newestTime());
        }
        return out.array();
    }

    private static SeenSteps fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int count = in.getInt();
        if (count < 0 || in.remaining() != count * 3L * Long.BYTES) {
            throw new SerializationException("seen steps: " + bytes.length + " bytes do not hold " + count + " ranges");
        }
        List<Range> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ranges.add(new Range(in.getLong(), in.getLong(), in.getLong()));
        }
        return new SeenSteps(ranges);
    }
}
