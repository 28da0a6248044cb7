package io.spindle.metrics;

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

/** Bad requests get a 4xx and a JSON message: never a 500, never a hang. The same resources as MetricsServiceTest. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(FreePortResource.class)
class MetricsRestErrorsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "GET | /api/nope | 404",
            "GET | /api/runs/no-such-run | 404",
            "GET | /api/runs/no-such-run/series?metric=loss | 404",
            "GET | /api/runs/no-such-run/series | 404",
            "GET | /api/runs/r/series?metric=perplexity | 404",
            "GET | /api/runs/r/series?metric=loss&from=yesterday | 400",
            "GET | /api/runs/r/series?metric=loss&to=soon | 400",
            "GET | /api/runs/r/series?metric=loss&from=-5 | 400",
            "GET | /api/runs/r/series?metric=loss&from=10&to=5 | 400",
            "GET | /api/runs/r/series?metric=loss&from=99999999999999999999 | 400",
            "GET | /api/runs/r/series?metric=loss&window=7s | 400",
            "GET | /api/runs/r/series?metric=loss&window=-1m | 400",
            "GET | /api/capacity/no-such-worker | 404",
            "GET | /api/runs/r/nope | 404",
            "POST | /api/runs | 405",
            "DELETE | /api/runs/r | 405",
            "PUT | /api/capacity | 405",
            "POST | /api/runs/r/series?metric=loss | 405",
    })
    void badRequestsGetTheirStatusAndAMessage(String method, String path, int status) {
        Response response = given().body("{}").contentType("application/json").accept("application/json").request(method, path);
        assertEquals(status, response.statusCode(), response.asString());
        assertFalse(response.jsonPath().getString("error").isBlank(), "a message: " + response.asString());
    }

    @Test
    void anOversizedBodyIsRefusedWith413() {
        Response response = given().body(new byte[128 * 1024]).contentType("application/octet-stream").post("/api/runs");
        assertEquals(413, response.statusCode());
    }
}
