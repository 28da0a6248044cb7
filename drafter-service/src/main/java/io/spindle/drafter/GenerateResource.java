package io.spindle.drafter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /generate}: continues a prompt with the current target, speculatively (the drafter proposes)
 * or target-only. Bad input is a 400 naming the problem, a service without a target, drafter or tokenizer
 * a 503; the body size is bounded by {@code quarkus.http.limits.max-body-size} (413 beyond it).
 */
@Path("/generate")
public class GenerateResource {

    /** Strict: a misspelt field ("max_tokens") or a fraction where a count belongs is an error, not a default. */
    private static final ObjectMapper REQUESTS = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private final Generator generator;

    public GenerateResource(Generator generator) {
        this.generator = generator;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.WILDCARD})
    @Produces(MediaType.APPLICATION_JSON)
    public GenerateResponse generate(String body) {
        return generator.generate(parse(body));
    }

    static GenerateRequest parse(String body) {
        if (body == null || body.isBlank()) {
            throw GenerateException.badRequest("the body must be a JSON object such as {\"prompt\": \"Once upon\"}");
        }
        try {
            GenerateRequest request = REQUESTS.readValue(body, GenerateRequest.class);
            if (request == null) {
                throw GenerateException.badRequest("the body must be a JSON object, not null");
            }
            return request;
        } catch (JsonProcessingException e) {
            throw GenerateException.badRequest("malformed request: " + e.getOriginalMessage());
        }
    }
}
