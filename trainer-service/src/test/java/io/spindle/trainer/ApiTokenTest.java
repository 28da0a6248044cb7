package io.spindle.trainer;

import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiTokenTest {

    static final String TOKEN = "0123456789abcdef-token";

    @Test
    void aShortTokenFailsStartUpNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ApiToken(Optional.of("secret")));
        assertTrue(e.getMessage().startsWith("spindle.trainer.api-token must be at least 16"), e.getMessage());
    }

    @Test
    void unsetDisablesEveryRequest() {
        ApiToken none = new ApiToken(Optional.empty());
        assertEquals(403, none.refusal("Bearer " + TOKEN).orElseThrow().getStatus());
        assertEquals(403, none.refusal(null).orElseThrow().getStatus());
    }

    @Test
    void onlyTheExactBearerTokenPasses() {
        ApiToken token = new ApiToken(Optional.of(TOKEN));
        assertTrue(token.refusal("Bearer " + TOKEN).isEmpty());
        assertTrue(token.refusal("bearer " + TOKEN).isEmpty(), "the scheme is case-insensitive (RFC 7235)");
        for (String bad : new String[] {null, "", TOKEN, "Bearer", "Bearer ", "Bearer " + TOKEN + "0",
                "Bearer " + TOKEN.substring(1), "Basic " + TOKEN, "Bearer " + TOKEN.toUpperCase()}) {
            Response refusal = token.refusal(bad).orElseThrow(() -> new AssertionError("accepted: " + bad));
            assertEquals(401, refusal.getStatus(), String.valueOf(bad));
        }
    }
}
