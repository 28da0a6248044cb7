package io.spindle.metrics;

import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.StepMetrics;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The binary form of {@link RunEvent} on {@code events-by-run} and in {@code run-events}: every event is written
 * twice and read at least once, and a hand-written layout costs a fraction of Jackson's databind (which was a quarter
 * of the stream thread's time). Fields in declaration order; strings as length + UTF-8 (-1: null), enums by name.
 * A first byte {@value #MAGIC} marks the format; anything else is read by {@link InternalSerde} (Smile or JSON of
 * earlier versions). When a contract record gains a field, it must be added here: {@code RunEventSerdeTest} counts
 * the components.
 */
final class RunEventSerde implements Serde<RunEvent>, Serializer<RunEvent>, Deserializer<RunEvent> {

    static final byte MAGIC = (byte) 0xE1;
    private static final byte HAS_STEP = 1;
    private static final byte HAS_DRAFTER = 2;
    private static final byte TIMED_OUT = 4;
    private static final InternalSerde<RunEvent> EARLIER = InternalSerde.of(RunEvent.class);

    @Override
    public byte[] serialize(String topic, RunEvent event) {
        if (event == null) {
            return null;
        }
        Writer out = new Writer();
        out.putByte(MAGIC);
        out.putString(event.kind().name());
        out.putString(event.run());
        out.putString(event.source());
        out.putLong(event.time());
        out.putByte((byte) ((event.step() != null ? HAS_STEP : 0) | (event.drafter() != null ? HAS_DRAFTER : 0)
                | (event.timedOut() ? TIMED_OUT : 0)));
        out.putString(event.reason() == null ? null : event.reason().name());
        out.putLong(event.idleMs());
        out.putLong(event.idleTotalMs());
        out.putLong(event.harvestedMs());
        StepMetrics s = event.step();
        if (s != null) {
            out.putInt(s.schema());
            out.putString(s.run());
            out.putString(s.worker());
            out.putLong(s.step());
            out.putLong(s.time());
            out.putDouble(s.loss());
            out.putByte((byte) (s.evalLoss() == null ? 0 : 1));
            if (s.evalLoss() != null) {
                out.putDouble(s.evalLoss());
            }
            out.putDouble(s.lr());
            out.putDouble(s.gradNorm());
            out.putLong(s.tokens());
            out.putLong(s.tokensSeen());
            out.putDouble(s.stepMs());
            out.putDouble(s.dataWaitMs());
            out.putDouble(s.tokensPerS());
            out.putDouble(s.mfu());
            out.putDouble(s.lossScale());
            out.putString(s.batchId());
            out.putLong(s.peakRssMb());
        }
        DrafterMetrics d = event.drafter();
        if (d != null) {
            out.putInt(d.schema());
            out.putString(d.drafter());
            out.putString(d.run());
            out.putLong(d.time());
            out.putLong(d.harvestedIdleMs());
            out.putLong(d.steps());
            out.putDouble(d.loss());
            out.putDouble(d.acceptLength());
            out.putDouble(d.speedup());
            out.putDouble(d.preemptionLatencyMs());
        }
        return out.bytes();
    }

    @Override
    public RunEvent deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0 || data[0] != MAGIC) {
            return EARLIER.deserialize(topic, data);
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
            RunEvent.Kind kind = RunEvent.Kind.valueOf(string(in));
            String run = string(in);
            String source = string(in);
            long time = in.getLong();
            byte flags = in.get();
            String reason = string(in);
            long idleMs = in.getLong();
            long idleTotalMs = in.getLong();
            long harvestedMs = in.getLong();
            StepMetrics step = (flags & HAS_STEP) == 0 ? null : new StepMetrics(in.getInt(), string(in), string(in),
                    in.getLong(), in.getLong(), in.getDouble(), in.get() == 0 ? null : in.getDouble(), in.getDouble(),
                    in.getDouble(), in.getLong(), in.getLong(), in.getDouble(), in.getDouble(), in.getDouble(),
                    in.getDouble(), in.getDouble(), string(in), in.getLong());
            DrafterMetrics drafter = (flags & HAS_DRAFTER) == 0 ? null : new DrafterMetrics(in.getInt(), string(in),
                    string(in), in.getLong(), in.getLong(), in.getLong(), in.getDouble(), in.getDouble(), in.getDouble(),
                    in.getDouble());
            return new RunEvent(kind, run, source, time, step, reason == null ? null : IdleReason.valueOf(reason),
                    idleMs, idleTotalMs, (flags & TIMED_OUT) != 0, drafter, harvestedMs);
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new SerializationException("bad RunEvent on " + topic + ": " + e, e);
        }
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0) {
            return null;
        }
        String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }

    /** A growing big-endian buffer (the same byte order as {@link ByteBuffer}'s reads). */
    private static final class Writer {
        private byte[] buffer = new byte[256];
        private int size;

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }

        void putByte(byte value) {
            ensure(1);
            buffer[size++] = value;
        }

        void putInt(int value) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buffer[size++] = (byte) (value >>> shift);
            }
        }

        void putLong(long value) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buffer[size++] = (byte) (value >>> shift);
            }
        }

        void putDouble(double value) {
            putLong(Double.doubleToRawLongBits(value));
        }

        void putString(String value) {
            if (value == null) {
                putInt(-1);
                return;
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            putInt(bytes.length);
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buffer, size, bytes.length);
            size += bytes.length;
        }

        byte[] bytes() {
            return Arrays.copyOf(buffer, size);
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public Serializer<RunEvent> serializer() {
        return this;
    }

    @Override
    public Deserializer<RunEvent> deserializer() {
        return this;
    }
}
