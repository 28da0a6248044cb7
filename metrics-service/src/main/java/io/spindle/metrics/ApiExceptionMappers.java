package io.spindle.metrics;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns the API's failures into a status and a JSON {@link ApiError}, never a bare 500. */
public class ApiExceptionMappers {

    @ServerExceptionMapper
    public RestResponse<ApiError> unknownKey(UnknownKeyException e) {
        return RestResponse.status(Response.Status.NOT_FOUND, new ApiError(e.getMessage()));
    }

    @ServerExceptionMapper
    public RestResponse<ApiError> notReady(StoresNotReadyException e) {
        // Retry-After: the stores usually become queryable within seconds of a restart or rebalance.
        return RestResponse.ResponseBuilder.create(Response.Status.SERVICE_UNAVAILABLE, new ApiError(e.getMessage()))
                .header("Retry-After", "1")
                .build();
    }

    /**
     * Framework answers (unknown path, wrong method, bad parameter) keep their status but get a JSON body;
     * a redirect (the SSE stream of a run another instance holds) keeps its Location.
     */
    @ServerExceptionMapper
    public RestResponse<ApiError> webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getFamily() == Response.Status.Family.REDIRECTION) {
            return RestResponse.ResponseBuilder.<ApiError>create(status)
                    .location(e.getResponse().getLocation())
                    .build();
        }
        String message = e.getMessage() != null ? e.getMessage() : status.getReasonPhrase();
        return RestResponse.ResponseBuilder.create(status, new ApiError(message)).build();
    }
}
