package io.spindle.trainer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    private final TrainerService trainer;

    public StatusResource(TrainerService trainer) {
        this.trainer = trainer;
    }

    @GET
    public TrainerStatus.View status() {
        return trainer.status().view();
    }
}
