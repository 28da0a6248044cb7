package io.spindle.trainer;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/checkpoint}: a checkpoint now, e.g. before maintenance. The training loop writes it at
 * its next step boundary (this thread never touches the model), so the answer is 202, not the checkpoint.
 */
@Path("/api/checkpoint")
@Produces(MediaType.APPLICATION_JSON)
public class CheckpointResource {

    /** @param step the last step trained when asked; the checkpoint holds it, or the step in progress */
    public record Requested(long step, String message) {
    }

    private final TrainerService trainer;
    private final ApiToken token;

    public CheckpointResource(TrainerService trainer, ApiToken token) {
        this.trainer = trainer;
        this.token = token;
    }

    @POST
    public Response checkpoint(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return token.refusal(authorization).orElseGet(() -> {
            long step = trainer.status().view().step();
            return switch (trainer.requestCheckpoint()) {
                case ACCEPTED -> Response.accepted(new Requested(step,
                        "a checkpoint will be written at the next step boundary and announced on train.checkpoints"
                                + " (none if this step already has one)")).build();
                case CHECKPOINTS_OFF -> conflict("checkpoints are off: spindle.trainer.checkpoint.interval is 0");
                case NOT_TRAINING -> conflict("the training loop is not running (state " + trainer.status().state() + ")");
            };
        });
    }

    private static Response conflict(String message) {
        return Response.status(Response.Status.CONFLICT).entity(new ApiError(message)).build();
    }
}
