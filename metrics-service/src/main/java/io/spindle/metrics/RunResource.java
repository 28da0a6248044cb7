package io.spindle.metrics;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

import java.util.List;

/** Live summaries of training runs, answered from the {@code run-summaries} store. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    @Inject
    StoreQueries queries;

    /** All runs, ordered by run id. */
    @GET
    public List<RunSummary> runs() {
        return queries.runs();
    }

    /** One run; 404 when no step of it was seen. */
    @GET
    @Path("/{run}")
    public RunSummary run(@RestPath String run) {
        return queries.run(run);
    }
}
