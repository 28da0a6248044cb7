package io.spindle.tokenizer;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

import java.util.Map;

/**
 * Caps the native memory of every RocksDB store in this process together: one block cache, that also
 * holds the memtables (through a write buffer manager) and the index and filter blocks. Kafka Streams'
 * default gives each store instance its own 50 MB cache and up to three 16 MB memtables, so the tokenizer's
 * stores (the packer and the dedup hashes, per partition) could take several hundred MB outside the heap
 * as they fill, which the million-document run showed as RSS still rising in its second half.
 * Set with {@code kafka-streams.rocksdb.config.setter}.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    /** All RocksDB memory of the process: block cache, memtables, indexes and filters. */
    static final long TOTAL_BYTES = 48L * 1024 * 1024;
    /** Of which memtables at most. */
    static final long MEMTABLE_BYTES = 16L * 1024 * 1024;

    /**
     * Shared by every store of the process, and never closed: a store closing must not free them under the
     * others. Built on first use, not when the class loads: Kafka Streams loads this class to check the
     * config, which outside Quarkus happens before anything has loaded RocksDB's native library.
     */
    private static final class Shared {
        static {
            RocksDB.loadLibrary();
        }

        static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
        static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(Shared.CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(Shared.WRITE_BUFFERS);
        options.setTableFormatConfig(table);
        // Nearly every lookup is of a key that is not there (a new text's hash): a bloom filter over each memtable's
        // keys answers those without searching its skip list, which was ~3% of the stream threads (bench/run tokenizer).
        options.setMemtableWholeKeyFiltering(true);
        options.setMemtablePrefixBloomSizeRatio(0.1);
    }

    @Override
    public void close(String storeName, Options options) {
    }
}
