package uprocfs.fuse.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * {@code /metrics} over the JDK's own HTTP server (what the client library's
 * exporter-httpserver wraps, here without it: the per-namespace series are written straight
 * to the response, which that exporter's handler cannot do). Answers what Prometheus and the
 * client library's exporter answer: {@code GET} or {@code HEAD /metrics} in the text format
 * (version 0.0.4, which every Prometheus reads; it asks for OpenMetrics but accepts this),
 * {@code name[]=} parameters to pick metrics, gzip when the scraper asks for it; {@code /-/healthy};
 * 404 elsewhere. One thread serves, one scrape at a time.
 */
final class MetricsEndpoint implements Closeable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final MetricsExport export;

    private MetricsEndpoint(HttpServer server, ExecutorService executor, MetricsExport export) {
        this.server = server;
        this.executor = executor;
        this.export = export;
    }

    /** Binds {@code address} and serves on {@code executor}'s thread. */
    static MetricsEndpoint start(InetSocketAddress address, MetricsExport export, ExecutorService executor)
            throws IOException {
        HttpServer server = HttpServer.create(address, 8);
        MetricsEndpoint endpoint = new MetricsEndpoint(server, executor, export);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    /** The port bound (the one asked for, or the one the kernel chose for 0). */
    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "only GET and HEAD\n");
            } else if (path.equals("/metrics")) {
                scrape(exchange, method.equals("HEAD"));
            } else if (path.equals("/-/healthy")) {
                reply(exchange, 200, "Exporter is healthy.\n");
            } else if (path.equals("/")) {
                reply(exchange, 200, "uprocfs: the metrics are at /metrics\n");
            } else {
                reply(exchange, 404, "not found: the metrics are at /metrics\n");
            }
        } finally {
            exchange.close();
        }
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            exchange.getResponseBody().write(body);
        }
    }

    private void scrape(HttpExchange exchange, boolean head) throws IOException {
        Predicate<String> included;
        try {
            included = names(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            reply(exchange, 400, "bad query (" + e.getMessage() + "): use /metrics?name[]=METRIC&name[]=...\n");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        boolean gzip = acceptsGzip(exchange.getRequestHeaders().getFirst("Accept-Encoding"));
        if (gzip) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        if (head) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        // Length unknown until written: chunked.
        exchange.sendResponseHeaders(200, 0);
        OutputStream body = exchange.getResponseBody();
        OutputStream out = gzip ? new FastGzip(body) : new BufferedOutputStream(body, 64 * 1024);
        export.scrape(out, included);
        out.close();
    }

    /** Whether an Accept-Encoding header allows gzip (and does not refuse it with q=0). */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.trim().split(";");
            if (p[0].trim().equalsIgnoreCase("gzip")) {
                return !(p.length > 1 && p[1].trim().toLowerCase(Locale.ROOT).matches("q=0(\\.0*)?"));
            }
        }
        return false;
    }

    /**
     * The metrics a query's {@code name[]} parameters ask for, as names without
     * {@code _total} (as the client library matches them); all when there is none.
     *
     * @throws IllegalArgumentException for a malformed %-escape
     */
    static Predicate<String> names(String rawQuery) {
        Set<String> names = new HashSet<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                if (key.equals("name[]")) {
                    names.add(withoutTotal(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)));
                }
            }
        }
        if (names.isEmpty()) {
            return name -> true;
        }
        return name -> names.contains(withoutTotal(name));
    }

    private static String withoutTotal(String name) {
        return name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    }

    /** gzip at its fastest level: a scrape of 100,000 namespaces is 5 MB of very repetitive text. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    /** Stops serving at once and ends the thread. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
