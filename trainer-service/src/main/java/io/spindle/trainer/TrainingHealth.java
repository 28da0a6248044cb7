package io.spindle.trainer;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/** Live while the loop runs or has finished on purpose; a failed loop needs a restart. */
@Liveness
@Readiness
@ApplicationScoped
public class TrainingHealth implements HealthCheck {

    private final TrainerService trainer;

    public TrainingHealth(TrainerService trainer) {
        this.trainer = trainer;
    }

    @Override
    public HealthCheckResponse call() {
        TrainerStatus status = trainer.status();
        boolean healthy = status.state() != TrainerStatus.State.FAILED
                && (trainer.loopAlive() || status.state() == TrainerStatus.State.DONE);
        return HealthCheckResponse.named("training-loop")
                .status(healthy)
                .withData("state", status.state().name())
                .withData("error", status.error() == null ? "" : status.error())
                .build();
    }
}
