package io.spindle.tokenizer;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Framework answers (unknown path, wrong method, bad parameter) keep their 4xx status but get a JSON message. */
public class ApiExceptionMappers {

    @ServerExceptionMapper
    public RestResponse<ApiError> webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        String message = e.getMessage() != null ? e.getMessage() : status.getReasonPhrase();
        return RestResponse.ResponseBuilder.create(status, new ApiError(message)).build();
    }
}
