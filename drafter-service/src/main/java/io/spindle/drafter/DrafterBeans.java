package io.spindle.drafter;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

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
    SpotStats spotStats() {
        return new SpotStats();
    }
}
