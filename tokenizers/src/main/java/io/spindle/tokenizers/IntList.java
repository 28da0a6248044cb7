package io.spindle.tokenizers;

import java.util.Arrays;

/** A growable int array, to avoid boxing every id or offset; reused from document to document. */
final class IntList {
    /** Larger arrays (a rare, very long document) are dropped at {@link #reset()} rather than kept. */
    private static final int KEPT_LENGTH = 1 << 18;

    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[capacity];
    }

    /** Empties the list for reuse. */
    void reset() {
        size = 0;
        if (data.length > KEPT_LENGTH) {
            data = new int[1024];
        }
    }

    void add(int v) {
        if (size == data.length) {
            data = Arrays.copyOf(data, size * 2);
        }
        data[size++] = v;
    }

    void addAll(int[] vs) {
        addAll(vs, 0, vs.length);
    }

    void addAll(int[] vs, int from, int count) {
        if (size + count > data.length) {
            data = Arrays.copyOf(data, Math.max(size * 2, size + count));
        }
        System.arraycopy(vs, from, data, size, count);
        size += count;
    }

    int size() {
        return size;
    }

    int get(int i) {
        return data[i];
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
