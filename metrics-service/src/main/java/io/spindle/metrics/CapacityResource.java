package io.spindle.metrics;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

import java.util.List;

/** Idle-time totals per worker, answered from the {@code worker-capacity} store. */
@Path("/api/capacity")
@Produces(MediaType.APPLICATION_JSON)
public class CapacityResource {

    @Inject
    StoreQueries queries;

    /** All workers, ordered by worker id. */
    @GET
    public List<WorkerCapacity> workers() {
        return queries.workers();
    }

    /** One worker; 404 when no capacity event of it was seen. */
    @GET
    @Path("/{worker}")
    public WorkerCapacity worker(@RestPath String worker) {
        return queries.worker(worker);
    }
}
