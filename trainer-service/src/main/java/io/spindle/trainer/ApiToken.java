package io.spindle.trainer;

import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The bearer token that guards state-changing endpoints ({@code spindle.trainer.api-token}). Unset, they are
 * disabled: a trainer that nobody configured a credential for cannot be changed over HTTP at all.
 */
@Singleton
@Startup
public class ApiToken {

    static final String KEY = "spindle.trainer.api-token";
    /** Shorter tokens are guessable; refuse to start with one rather than guard with it. */
    static final int MIN_LENGTH = 16;
    private static final String BEARER = "Bearer ";

    /** SHA-256 of the token: comparing digests takes the same time whatever the guess, its length included. */
    private final Optional<byte[]> digest;

    @Inject
    public ApiToken(TrainerConfig config) {
        this(config.apiToken());
    }

    ApiToken(Optional<String> token) {
        token.ifPresent(t -> {
            if (t.strip().length() < MIN_LENGTH) {
                throw new IllegalArgumentException(KEY + " must be at least " + MIN_LENGTH + " characters");
            }
        });
        this.digest = token.map(t -> sha256(t.strip()));
    }

    /** Why a request with this Authorization header may not change state (403 disabled, 401 bad token), or empty. */
    Optional<Response> refusal(String authorization) {
        if (digest.isEmpty()) {
            return Optional.of(Response.status(Response.Status.FORBIDDEN)
                    .entity(new ApiError("disabled: set " + KEY + " (env SPINDLE_TRAINER_API_TOKEN) to enable state-changing endpoints"))
                    .build());
        }
        boolean presented = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
        byte[] offered = sha256(presented ? authorization.substring(BEARER.length()).strip() : "");
        if (!presented || !MessageDigest.isEqual(digest.get(), offered)) {
            return Optional.of(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"spindle-trainer\"")
                    .entity(new ApiError(presented ? "wrong bearer token" : "missing bearer token: send Authorization: Bearer <"
                            + KEY + ">"))
                    .build());
        }
        return Optional.empty();
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
