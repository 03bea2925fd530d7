package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.testing.EngineDriver;
import uprocfs.testing.FakeProcTree;
import uprocfs.testing.FakeProcess;

/** {@code /metrics} over HTTP as a scraper sees it: the paths, the methods, name[] and gzip. */
class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<byte[]> send(int port, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** What the server answers to {@code request} sent as is: the status line. */
    private static String raw(int port, String request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = answer.indexOf("\r\n");
            return end < 0 ? answer : answer.substring(0, end);
        }
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** The lines of a scrape but the one that measures the scrape itself. */
    private static String steady(String scrape) {
        return scrape.replaceAll("(?m)^uproc_scrape_duration_seconds .*$", "");
    }

    @Test
    void servesTheScrapeItsPartsAndGzipAndNothingElse() throws Exception {
        try (FakeProcTree tree = new FakeProcTree()) {
            tree.add(FakeProcess.pid(1).ppid(0).name("init"));
            EngineDriver engine = new EngineDriver(new RuleSet("test", Instant.now(), List.of(
                    new RuleSpec("root", 0, RuleSpec.ANY, null, 1))), new ProcFs(tree.root())).started();
            MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0),
                    new MetricsExport(engine.agent.view(), null), Resync.backgroundThread("test-metrics"));
            try {
                int port = endpoint.port();
                HttpResponse<byte[]> all = send(port, "GET", "/metrics");
                assertEquals(200, all.statusCode());
                assertEquals(MetricsEndpoint.CONTENT_TYPE, all.headers().firstValue("Content-Type").orElse(null));
                assertTrue(text(all).contains("uproc_namespace_processes{namespace=\"root\"} 1\n"), text(all));
                assertTrue(text(all).contains("uproc_tasks 1"), text(all));

                String exits = text(send(port, "GET", "/metrics?name[]=uproc_namespace_exits_total"));
                assertTrue(exits.contains("uproc_namespace_exits_total{how=\"ok\",namespace=\"root\"} 0"), exits);
                assertFalse(exits.contains("uproc_namespace_processes"), exits);
                assertFalse(exits.contains("uproc_tasks"), exits);
                String two = text(send(port, "GET",
                        "/metrics?name%5B%5D=uproc_tasks&name[]=uproc_namespace_processes"));
                assertTrue(two.contains("uproc_tasks 1") && two.contains("uproc_namespace_processes{"), two);
                assertFalse(two.contains("uproc_namespace_joins_total"), two);

                HttpResponse<byte[]> gz = send(port, "GET", "/metrics", "Accept-Encoding", "gzip");
                assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(null));
                String unzipped;
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
                    unzipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                assertEquals(steady(text(all)), steady(unzipped));

                HttpResponse<byte[]> head = send(port, "HEAD", "/metrics");
                assertEquals(200, head.statusCode());
                assertEquals(0, head.body().length);
                assertEquals(200, send(port, "GET", "/-/healthy").statusCode());
                assertEquals(404, send(port, "GET", "/metricsx").statusCode());
                assertEquals(404, send(port, "GET", "/../etc/passwd").statusCode());
                assertEquals(405, send(port, "POST", "/metrics").statusCode());
                String bad = raw(port, "GET /metrics?name[]=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertTrue(bad.startsWith("HTTP/1.1 400"), bad);
                assertEquals(200, send(port, "GET", "/metrics").statusCode(), "still serving");
            } finally {
                endpoint.close();
            }
        }
    }

    @Test
    void gzipOnlyWhenAskedForAndNotRefused() {
        assertTrue(MetricsEndpoint.acceptsGzip("gzip"));
        assertTrue(MetricsEndpoint.acceptsGzip("deflate, GZIP;q=0.5"));
        assertFalse(MetricsEndpoint.acceptsGzip("gzip;q=0"));
        assertFalse(MetricsEndpoint.acceptsGzip("identity"));
        assertFalse(MetricsEndpoint.acceptsGzip(null));
    }

    @Test
    void nameParametersMatchWithOrWithoutTotal() throws IOException {
        assertTrue(MetricsEndpoint.names(null).test("anything"));
        assertTrue(MetricsEndpoint.names("foo=bar").test("anything"));
        var exits = MetricsEndpoint.names("name[]=uproc_namespace_exits_total");
        assertTrue(exits.test("uproc_namespace_exits"));
        assertTrue(exits.test("uproc_namespace_exits_total"));
        assertFalse(exits.test("uproc_namespace_processes"));
        assertTrue(MetricsEndpoint.names("name[]=uproc_reloads").test("uproc_reloads"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> MetricsEndpoint.names("name[]=%zz"));
    }
}
