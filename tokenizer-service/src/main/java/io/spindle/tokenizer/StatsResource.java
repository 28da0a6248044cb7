package io.spindle.tokenizer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {

    private final TokenizerStats stats;

    public StatsResource(TokenizerStats stats) {
        this.stats = stats;
    }

    @GET
    public TokenizerStats.Snapshot stats() {
        return stats.snapshot();
    }
}
