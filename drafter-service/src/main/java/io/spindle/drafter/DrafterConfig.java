package io.spindle.drafter;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the drafter service ({@code spindle.drafter.*}). */
@ConfigMapping(prefix = "spindle.drafter")
public interface DrafterConfig {

    IdleWindowsConfig idleWindows();

    interface IdleWindowsConfig {
        /** Closed windows kept per worker; older ones are dropped but still count in the worker's total. */
        @WithDefault("1000")
        int history();
    }
}
