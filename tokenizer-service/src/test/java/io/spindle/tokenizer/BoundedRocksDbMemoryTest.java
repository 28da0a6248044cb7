package io.spindle.tokenizer;

import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedRocksDbMemoryTest {

    @Test
    void everyStoreGetsTheSharedCacheWithIndexesAndFiltersInIt() {
        RocksDB.loadLibrary();
        try (Options first = new Options(); Options second = new Options()) {
            // As Kafka Streams hands them over: with its own block-based table config already set.
            first.setTableFormatConfig(new BlockBasedTableConfig());
            second.setTableFormatConfig(new BlockBasedTableConfig());
            BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
            setter.setConfig("packer", first, Map.of());
            setter.setConfig("seen-texts", second, Map.of());
            for (Options options : new Options[] {first, second}) {
                BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
                assertTrue(table.cacheIndexAndFilterBlocks(), "indexes and filters are charged to the cache");
                assertTrue(table.pinTopLevelIndexAndFilter());
            }
            setter.close("packer", first);
        }
    }
}
