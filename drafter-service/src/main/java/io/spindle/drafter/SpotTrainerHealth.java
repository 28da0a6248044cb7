package io.spindle.drafter;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** A spot trainer that died needs a restart; one that is disabled is fine. */
@Liveness
@ApplicationScoped
public class SpotTrainerHealth implements HealthCheck {

    private final SpotTrainerService service;
    private final SpotStats stats;

    public SpotTrainerHealth(SpotTrainerService service, SpotStats stats) {
        this.service = service;
        this.stats = stats;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("spot-trainer")
                .status(service.healthy())
                .withData("state", stats.view().state())
                .build();
    }
}
