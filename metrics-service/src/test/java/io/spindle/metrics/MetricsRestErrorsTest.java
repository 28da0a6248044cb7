package io.spindle.metrics;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.spindle.kafka.KafkaBrokerResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void anOversizedBodyIsRefusedWith413() throws IOException {
        String statusLine = statusLineOfOversizedPost("/api/runs");
        assertTrue(statusLine.startsWith("HTTP/1.1 413 "), statusLine);
    }

    /**
     * Only the headers of a POST declaring a 128 KiB body: the server must refuse it on the declared length,
     * before reading a byte of it. (Sending the body too races the server closing the connection after its 413.)
     */
    private static String statusLineOfOversizedPost(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + 128 * 1024 + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
