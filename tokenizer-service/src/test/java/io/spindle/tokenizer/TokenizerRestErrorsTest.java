package io.spindle.tokenizer;

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

/** Bad requests get a 4xx and a JSON message: never a 500, never a hang. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class TokenizerRestErrorsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET, /api/nope, 404",
            "GET, /nope, 404",
            "GET, /api/stats/extra, 404",
            "POST, /api/stats, 405",
            "DELETE, /api/stats, 405",
            "PUT, /api/stats, 405",
    })
    void badRequestsGetTheirStatusAndAMessage(String method, String path, int status) {
        Response response = given().body("{}").contentType("application/json").request(method, path);
        assertEquals(status, response.statusCode(), response.asString());
        assertFalse(response.jsonPath().getString("error").isBlank(), "a message: " + response.asString());
    }

    @Test
    void anOversizedBodyIsRefusedWith413() throws IOException {
        String statusLine = statusLineOfOversizedPost("/api/stats");
        assertTrue(statusLine.startsWith("HTTP/1.1 413 "), statusLine);
    }

    /**
     * Only the headers of a POST declaring a 128 KiB body: the server must refuse it on the declared length,
     * before reading a byte of it. (Sending the body too races the server closing the connection after its 413.)
     */
    private static String statusLineOfOversizedPost(String path) throws IOException {
        return rawStatusLine("POST " + path + " HTTP/1.1\r\nContent-Type: application/octet-stream\r\nContent-Length: " + 128 * 1024);
    }

    @Test
    void unknownOrMalformedQueryParametersAreNoError() throws IOException {
        assertEquals(200, given().get("/api/stats?since=yesterday").statusCode());
        // HTTP clients refuse to send a malformed escape, so it goes over a bare socket.
        String statusLine = rawStatusLine("GET /api/stats?x=%ZZ HTTP/1.1");
        assertTrue(statusLine.matches("HTTP/1\\.1 (200|400) .*"), "malformed percent-encoding: " + statusLine);
    }

    /** The status line of a request sent as raw bytes: its head (request line and headers) as given. */
    private static String rawStatusLine(String head) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((head + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
