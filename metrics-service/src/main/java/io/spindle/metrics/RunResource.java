package io.spindle.metrics;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Training runs: summaries, chart series and a live event stream. A run lives on one instance (its
 * {@code events-by-run} partition); a question about a run another instance holds is forwarded to it.
 */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    @Inject
    StoreQueries stores;

    @Inject
    SeriesQueries series;

    @Inject
    Forwarder forwarder;

    @Inject
    LiveUpdates live;

    @GET
    @Operation(summary = "All runs, ordered by run id, gathered from every instance")
    public List<RunSummary> runs(@Parameter(hidden = true) @RestQuery String scope) {
        return stores.allRuns(Forwarder.LOCAL.equals(scope));
    }

    @GET
    @Path("/{run}")
    @Operation(summary = "One run's summary")
    @APIResponse(responseCode = "404", description = "no event of this run was seen")
    public Response run(@RestPath String run, @Parameter(hidden = true) @RestQuery String scope, @Context UriInfo uri) {
        Optional<HostInfo> owner = ownerUnlessLocal(run, scope);
        if (owner.isPresent()) {
            return forwarder.forward(owner.get(), uri);
        }
        return Response.ok(stores.localRun(run)).build();
    }

    @GET
    @Path("/{run}/series")
    @Operation(summary = "Points of one metric of a run, for a chart",
            description = "Without window: one point per event (per step for step metrics, per idle interval or drafter "
                    + "report for idle_s, harvested_s, accept_length, speedup). With window (10s, 1m): one point per "
                    + "tumbling window and line.")
    @APIResponse(responseCode = "404", description = "unknown run or metric")
    @APIResponse(responseCode = "400", description = "bad from/to/window, or a metric that does not exist in that form")
    public Response series(@RestPath String run,
                           @Parameter(description = "metric id: loss, eval_loss, lr, grad_norm, tokens_per_s, mfu, data_wait_pct, "
                                   + "tokens, steps, loss_min, loss_max, idle_s, harvested_s, accept_length, speedup")
                           @RestQuery String metric,
                           @Parameter(description = "from, epoch ms or ISO-8601 instant (default: the beginning)") @RestQuery String from,
                           @Parameter(description = "to, epoch ms or ISO-8601 instant (default: now and on)") @RestQuery String to,
                           @Parameter(description = "window size (10s, 1m); absent for raw points") @RestQuery String window,
                           @Parameter(hidden = true) @RestQuery String scope, @Context UriInfo uri) {
        Optional<HostInfo> owner = ownerUnlessLocal(run, scope);
        if (owner.isPresent()) {
            return forwarder.forward(owner.get(), uri);
        }
        return Response.ok(series.series(run, metric, from, to, window)).build();
    }

    @GET
    @Path("/{run}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live stream of a run",
            description = "Server-sent events: 'points' (the chart points each new event adds, by metric) and 'summary' "
                    + "(the run summary after each update). Answered by the instance holding the run; another instance "
                    + "redirects (307) there.")
    public void events(@RestPath String run, @Context SseEventSink sink, @Context Sse sse, @Context UriInfo uri) {
        Optional<HostInfo> owner = ownerUnlessLocal(run, null);
        if (owner.isPresent()) {
            URI there = uri.getRequestUriBuilder().host(owner.get().host()).port(owner.get().port()).build();
            throw new jakarta.ws.rs.RedirectionException(Response.Status.TEMPORARY_REDIRECT, there);
        }
        live.listen(run, sink, sse);
    }

    private Optional<HostInfo> ownerUnlessLocal(String run, String scope) {
        return Forwarder.LOCAL.equals(scope) ? Optional.empty() : stores.ownerOf(run);
    }
}
