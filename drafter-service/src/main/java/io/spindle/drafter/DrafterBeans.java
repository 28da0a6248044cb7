package io.spindle.drafter;

import io.spindle.model.speculative.DraftLengthBandit;
import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.TokenizerJsonReader;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.file.Path;


/** Wires the plain domain classes into CDI, so they stay free of framework code. */
public class DrafterBeans {

    @Produces
    @Singleton
    IdleWindows idleWindows(DrafterConfig config) {
        return new IdleWindows(config.idleWindows().history());
    }

    @Produces
    @Singleton
    SpotGate spotGate(DrafterConfig config) {
        return new SpotGate(config.spot().serve());
    }

    @Produces
    @Singleton
    ModelRoom modelRoom() {
        return new ModelRoom();
    }

    @Produces
    @Singleton
    TargetStatus targetStatus() {
        return new TargetStatus();
    }

    /**
     * One draft-length bandit for every speculative decode here, requests and speed-up probes alike, so what
     * it learns carries over. Fails start-up, naming the key, when the arms are bad.
     */
    @Produces
    @Singleton
    DraftLengthBandit draftLengthBandit(DrafterConfig config) {
        int[] arms = config.generate().draftLengths().stream().mapToInt(Integer::intValue).toArray();
        try {
            return new DraftLengthBandit(arms, config.generate().epsilon(), 7);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spindle.drafter.generate.draft-lengths: " + e.getMessage(), e);
        }
    }

    /** Fails start-up, naming the key, when the tokenizer cannot be read or is not byte-level BPE. */
    @Produces
    @Singleton
    Generator generator(DrafterConfig config, ModelRoom room, DraftLengthBandit bandit) {
        ByteLevelBpeEncoder tokenizer = config.tokenizerPath().map(DrafterBeans::tokenizer).orElse(null);
        return new Generator(room, tokenizer, bandit);
    }

    private static ByteLevelBpeEncoder tokenizer(Path path) {
        try {
            return new ByteLevelBpeEncoder(TokenizerJsonReader.read(path));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("spindle.drafter.tokenizer-path " + path + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    @Produces
    @Singleton
    SpotStats spotStats() {
        return new SpotStats();
    }
}
