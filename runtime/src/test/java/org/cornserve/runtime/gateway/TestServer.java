package org.cornserve.runtime.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.cornserve.runtime.serve.LocalEngineInvoker;
import org.cornserve.runtime.serve.local.LocalEngineSettings;

/** A gateway on a free loopback port in front of the in-process engine, and a bounded HTTP client. */
final class TestServer implements AutoCloseable {
    final LocalEngineInvoker invoker;
    final Gateway gateway;
    final String token = GatewaySettings.newAdminToken();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestServer(LocalEngineSettings engine, long maxBodyBytes) {
        invoker = new LocalEngineInvoker(engine);
        gateway = Gateway.start(GatewaySettings.loopback(0, token).withMaxBodyBytes(maxBodyBytes), invoker);
    }

    TestServer() {
        this(LocalEngineSettings.defaults(2), GatewaySettings.DEFAULT_MAX_BODY_BYTES);
    }

    URI uri(String path) {
        return URI.create(gateway.url() + path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> delete(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).DELETE();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client of this server's gateway. */
    Client http() {
        return new Client(gateway);
    }

    /** A bounded HTTP client of one gateway. */
    record Client(Gateway gateway, HttpClient client) {
        Client(Gateway gateway) {
            this(gateway, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        }

        URI uri(String path) {
            return URI.create(gateway.url() + path);
        }
    }

    String[] admin() {
        return new String[] {"Authorization", "Bearer " + token};
    }

    @Override
    public void close() {
        gateway.close();
        invoker.close();
    }
}
