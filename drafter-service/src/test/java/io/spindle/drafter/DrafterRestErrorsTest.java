package io.spindle.drafter;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.spindle.kafka.KafkaBrokerResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Bad requests to the drafter's GET endpoints get a 4xx and a JSON message: never a 500, never a hang. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class DrafterRestErrorsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET, /api/nope, 404",
            "GET, /nope, 404",
            "GET, /api/idle-windows/no-such-worker, 404",
            "GET, /api/idle-windows?limit=-1, 400",
            "GET, /api/idle-windows/no-such-worker?limit=-5, 400",
            "GET, /api/idle-windows?limit=many, 404",
            "GET, /api/idle-windows?limit=99999999999, 404",
            "GET, /api/spot/extra, 404",
            "POST, /api/idle-windows, 405",
            "DELETE, /api/idle-windows/w1, 405",
            "POST, /api/spot, 405",
            "PUT, /api/spot, 405",
    })
    void badRequestsGetTheirStatusAndAMessage(String method, String path, int status) {
        Response response = given().body("{}").contentType("application/json").request(method, path);
        assertEquals(status, response.statusCode(), response.asString());
        assertFalse(response.jsonPath().getString("error").isBlank(), "a message: " + response.asString());
    }

    @Test
    void anOversizedBodyIsRefusedWith413() {
        Response response = given().body(new byte[128 * 1024]).contentType("application/octet-stream").post("/api/spot");
        assertEquals(413, response.statusCode());
    }
}
