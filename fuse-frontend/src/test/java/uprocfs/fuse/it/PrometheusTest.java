package uprocfs.fuse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.testing.Deadline;
import uprocfs.testing.ProcessResult;
import uprocfs.testing.RootEnvironment;

/**
 * {@code -o metrics} scraped by a real Prometheus server (Debian's {@code prometheus}), and
 * read back through its HTTP query API: the namespaces' process counts against /proc while
 * processes come and go, a burst of 100 {@code /bin/false} counted to the last one,
 * and nothing in any label but the namespace and what the configuration bounds.
 */
@Tag("root")
class PrometheusTest extends MountedDaemonTest {
    private static final int UID = 60720;
    private static final int FALSE_UID = 60721;
    private static final int BURST = 100;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private String get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");

    /** The value of {@code query} as Prometheus answers it now, or null when it has none. */
    private String query(int port, String query) {
        String body = get("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        if (body == null) {
            return null;
        }
        Matcher m = VALUE.matcher(body);
        return m.find() ? m.group(1) : null;
    }

    private Process startPrometheus(int port, int metricsPort) throws IOException {
        Path dir = Files.createDirectories(scratch.dir.resolve("prometheus"));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:", "  scrape_interval: 1s", "  scrape_timeout: 1s",
                "scrape_configs:", "  - job_name: uproc", "    static_configs:",
                "      - targets: ['127.0.0.1:" + metricsPort + "']", ""));
        Process p = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile()))
                .redirectErrorStream(true).start();
        closeAfter(() -> {
            p.destroy();
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        });
        Deadline.await("Prometheus answers", () -> get("http://127.0.0.1:" + port + "/-/ready") != null ? null
                : "not ready; its log: " + read(dir.resolve("log")));
        return p;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    @Test
    void prometheusSeesTheNamespacesAsProcHasThemAndCountsEveryShortLivedExit() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(RootEnvironment.onPath("prometheus"),
                "needs the prometheus server (package prometheus): tools/install-deps installs it");
        String napper = scratch.napper("uprocpromnap");
        scratch.config("uid " + UID + " u\ncmd uprocpromnap naps\nuid " + FALSE_UID + " cmd false fails\n");
        int metricsPort = freePort();
        mount("-o", "metrics=127.0.0.1:" + metricsPort);
        int port = freePort();
        startPrometheus(port, metricsPort);

        String page = get("http://127.0.0.1:" + metricsPort + "/metrics");
        assertTrue(page != null && page.contains("uproc_namespace_processes{namespace=\"naps\"} 0"), page);
        for (String line : page.split("\n")) {
            assertFalse(line.matches(".*\\bpid=.*"), "a PID label: " + line);
        }

        sleepers.start(3, UID, UID, napper);
        for (String ns : List.of("u", "naps")) {
            Deadline.await("Prometheus's " + ns + " as /proc has it", Duration.ofSeconds(30), () -> {
                int truth = ns.equals("u") ? GroundTruth.runningPids(s -> s.euid() == UID).size()
                        : GroundTruth.runningPids(s -> s.name().equals("uprocpromnap")).size();
                String seen = query(port, "uproc_namespace_processes{namespace=\"" + ns + "\"}");
                return String.valueOf(truth).equals(seen) ? null : "Prometheus has " + seen + ", /proc " + truth;
            });
        }
        sleepers.killAll();
        Deadline.await("Prometheus sees them gone", Duration.ofSeconds(30), () ->
                "0".equals(query(port, "uproc_namespace_processes{namespace=\"naps\"}")) ? null : "not yet");

        // /bin/false, run by a user of its own so that nothing else on the machine counts: it
        // execs and ends in well under a millisecond, gone from /proc before its exec can be
        // read, so only the kernel's report of its exit (taskstats) says what it ran.
        String exits = "uproc_namespace_exits_total{namespace=\"fails\",how=\"error\"}";
        // A namespace's counters appear with its first process: none has run yet.
        assertEquals(null, query(port, exits));
        assertTrue(page.contains("uproc_namespace_processes{namespace=\"fails\"} 0"), page);
        long before = 0;
        ProcessResult burst = ProcessResult.of("setpriv", "--reuid=" + FALSE_UID, "--regid=" + FALSE_UID,
                "--clear-groups", "/bin/sh", "-c", "i=0; while [ $i -lt " + BURST + " ]; do /bin/false; i=$((i+1)); done");
        assertEquals(0, burst.exitCode(), burst.toString());
        long expected = before + BURST;
        Deadline.await(BURST + " more error exits in Prometheus", Duration.ofSeconds(30), () -> {
            String seen = query(port, exits);
            return String.valueOf(expected).equals(seen == null ? null : String.valueOf((long) Double.parseDouble(seen)))
                    ? null : "Prometheus has " + seen + ", expected " + expected;
        });
        assertEquals("0", query(port, "uproc_namespace_exits_total{namespace=\"fails\",how=\"ok\"}"));
        String up = query(port, "up{job=\"uproc\"}");
        assertEquals("1", up);
    }
}
