package io.spindle.drafter;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns the API's failures into a status and a JSON {@link ApiError}, never a bare 500. */
public class ApiExceptionMappers {

    @ServerExceptionMapper
    public RestResponse<ApiError> unknownWorker(UnknownWorkerException e) {
        return RestResponse.status(Response.Status.NOT_FOUND, new ApiError(e.getMessage()));
    }

    @ServerExceptionMapper
    public RestResponse<ApiError> generate(GenerateException e) {
        return RestResponse.status(e.status(), new ApiError(e.getMessage()));
    }

    /** Framework answers (unknown path, wrong method, bad parameter) keep their status but get a JSON body. */
    @ServerExceptionMapper
    public RestResponse<ApiError> webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        String message = e.getMessage() != null ? e.getMessage() : status.getReasonPhrase();
        return RestResponse.ResponseBuilder.create(status, new ApiError(message)).build();
    }
}
