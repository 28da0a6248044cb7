package io.spindle.drafter;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The spot trainer's progress: harvested idle time, drafter steps and loss, preemption latency. */
@Path("/api/spot")
@Produces(MediaType.APPLICATION_JSON)
public class SpotResource {

    private final SpotStats stats;

    public SpotResource(SpotStats stats) {
        this.stats = stats;
    }

    @GET
    public SpotStats.View spot() {
        return stats.view();
    }
}
