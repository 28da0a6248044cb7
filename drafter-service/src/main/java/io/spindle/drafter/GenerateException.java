package io.spindle.drafter;

import jakarta.ws.rs.core.Response;

/** A generation that cannot run: a bad request (4xx) or a service not ready for it (503); the message says why. */
public class GenerateException extends RuntimeException {

    private final Response.Status status;

    GenerateException(Response.Status status, String message) {
        super(message);
        this.status = status;
    }

    static GenerateException badRequest(String message) {
        return new GenerateException(Response.Status.BAD_REQUEST, message);
    }

    static GenerateException unavailable(String message) {
        return new GenerateException(Response.Status.SERVICE_UNAVAILABLE, message);
    }

    public Response.Status status() {
        return status;
    }
}
