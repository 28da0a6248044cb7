package io.spindle.drafter;

import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.List;

/** The idle windows the drafter has seen, per worker. {@code ?limit=N} bounds the recent windows listed. */
@Path("/api/idle-windows")
@Produces(MediaType.APPLICATION_JSON)
public class IdleWindowResource {

    @Inject
    IdleWindows windows;

    /** Every worker: open window if any, total idle ms, the most recent closed windows. */
    @GET
    public List<WorkerIdleWindows> all(@RestQuery @DefaultValue("100") int limit) {
        return windows.all(checked(limit));
    }

    /** One worker; 404 when it never sent a capacity event. */
    @GET
    @Path("/{worker}")
    public WorkerIdleWindows worker(@RestPath String worker, @RestQuery @DefaultValue("100") int limit) {
        return windows.worker(worker, checked(limit)).orElseThrow(() -> new UnknownWorkerException(worker));
    }

    private static int checked(int limit) {
        if (limit < 0) {
            throw new BadRequestException("limit must be >= 0, was " + limit);
        }
        return limit;
    }
}
