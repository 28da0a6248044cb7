package io.spindle.metrics;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;

import java.util.Comparator;
import java.util.List;

/** Idle time per worker, over all runs: the {@code capacity} part of every run summary. */
@Path("/api/capacity")
@Produces(MediaType.APPLICATION_JSON)
public class CapacityResource {

    @Inject
    StoreQueries stores;

    @GET
    @Operation(summary = "Every worker's idle bookkeeping, per run, ordered by worker then run")
    public List<WorkerCapacity> workers() {
        return stores.allRuns(false).stream()
                .flatMap(run -> run.capacity().values().stream())
                .sorted(Comparator.comparing(WorkerCapacity::worker).thenComparing(WorkerCapacity::run))
                .toList();
    }

    @GET
    @Path("/{worker}")
    @Operation(summary = "One worker's idle bookkeeping in its most recent run; 404 when no capacity event of it was seen")
    public WorkerCapacity worker(@RestPath String worker) {
        return workers().stream()
                .filter(w -> w.worker().equals(worker))
                .max(Comparator.comparingLong(WorkerCapacity::since))
                .orElseThrow(() -> new UnknownKeyException("worker", worker));
    }
}
