package io.spindle.drafter;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The target checkpoint this drafter follows: its step and folder, and the last announcement it could not load. */
@Path("/api/target")
@Produces(MediaType.APPLICATION_JSON)
public class TargetResource {

    private final TargetStatus status;

    public TargetResource(TargetStatus status) {
        this.status = status;
    }

    @GET
    public TargetStatus.View target() {
        return status.view();
    }
}
