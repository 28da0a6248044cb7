package io.spindle.trainer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
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

/**
 * Bad requests get a 4xx and a JSON message: never a 500, never a hang. Runs with the default configuration,
 * where no api-token is set, so the state-changing endpoint must be disabled.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class,
        initArgs = @ResourceArg(name = "partitions.train.batches", value = "1"))
@QuarkusTestResource(FreshCheckpointDir.class)
class TrainerRestErrorsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET, /api/nope, 404",
            "GET, /nope, 404",
            "GET, /api/status/extra, 404",
            "POST, /api/status, 405",
            "DELETE, /api/status, 405",
            "GET, /api/checkpoint, 405",
            "PUT, /api/checkpoint, 405",
    })
    void badRequestsGetTheirStatusAndAMessage(String method, String path, int status) {
        Response response = given().body("{}").contentType("application/json").request(method, path);
        assertEquals(status, response.statusCode(), response.asString());
        assertFalse(response.jsonPath().getString("error").isBlank(), "a message: " + response.asString());
    }

    @Test
    void withoutAConfiguredTokenTheCheckpointEndpointIsDisabled() {
        for (String authorization : new String[] {null, "Bearer anything-at-all-1234", "Basic dXNlcjpwYXNz"}) {
            var request = given();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            Response response = request.post("/api/checkpoint");
            assertEquals(403, response.statusCode(), response.asString());
            assertTrue(response.jsonPath().getString("error").contains("disabled: set spindle.trainer.api-token"),
                    response.asString());
        }
    }

    @Test
    void anOversizedBodyIsRefusedWith413() throws IOException {
        String statusLine = statusLineOfOversizedPost("/api/checkpoint");
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
