package uprocfs.fuse.daemon;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import uprocfs.core.engine.EngineView;
import uprocfs.core.engine.Namespace;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.LagHistogram;
import uprocfs.core.stats.Metric;

/**
 * What {@code /metrics} shows, made at each scrape from what the daemon already keeps: per
 * namespace, its processes and the counters of who joined and how members ended
 * ({@link NamespaceSeries}, written straight to the response); the usage read from the
 * members' own /proc files; then every {@link Metric} of the registry {@code .status}
 * shows, under the same names with {@code uproc_} before them, the event lag as a
 * histogram; and how long the scrape took. All but the first three through the official
 * client library's model and text writer.
 *
 * <p>No label holds a PID, a command line or any other value the configuration does not
 * bound: the only labels are the namespace (a file name, bounded by the rules and
 * {@code max_templated}), {@code how} and {@code mode}.
 *
 * <p>One scrape at a time.
 */
final class MetricsExport {
    static final String NAMESPACE = "namespace";

    private final EngineView view;
    private final MemberUsage usage;
    private final NamespaceSeries series = new NamespaceSeries();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** @param usage what is read from the members' own /proc files at each scrape, or {@code null} for none */
    MetricsExport(EngineView view, MemberUsage usage) {
        this.view = view;
        this.usage = usage;
    }

    /**
     * Writes a scrape in the text format: the metrics whose names (without {@code _total})
     * {@code included} accepts. A scrape that names the metrics it wants
     * ({@code /metrics?name[]=uproc_namespace_processes}) reads no /proc file unless it
     * wants one of the metrics that come from them.
     */
    synchronized void scrape(OutputStream out, Predicate<String> included) throws IOException {
        long t0 = System.nanoTime();
        List<Namespace> namespaces = view.namespaces();
        series.write(out, namespaces, included);
        List<MetricSnapshot> rest = new ArrayList<>();
        if (usage != null && ProcMemberUsage.NAMES.stream().anyMatch(included)) {
            rest.addAll(usage.collect(namespaces));
        }
        registry(view.counters(), rest);
        rest.add(GaugeSnapshot.builder().name("uproc_scrape_duration_seconds")
                .help("How long this scrape took to gather, /proc reads included")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value((System.nanoTime() - t0) / 1e9).build())
                .build());
        List<MetricSnapshot> kept = new ArrayList<>(rest.size());
        for (MetricSnapshot m : rest) {
            if (included.test(m.getMetadata().getPrometheusName())) {
                kept.add(m);
            }
        }
        writer.write(out, new MetricSnapshots(kept));
    }

    /** Every metric of the registry, as {@code .status} has it. */
    private static void registry(Counters.Snapshot counters, List<MetricSnapshot> out) {
        for (Metric m : Metric.values()) {
            String name = "uproc_" + m.key();
            switch (m.type()) {
                case COUNTER -> out.add(CounterSnapshot.builder().name(name).help(m.help())
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(counters.get(m)).build())
                        .build());
                case GAUGE -> out.add(GaugeSnapshot.builder().name(name).help(m.help())
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(counters.get(m)).build())
                        .build());
                case TIMESTAMP -> out.add(GaugeSnapshot.builder().name(name + "_timestamp_seconds")
                        .help(m.help() + " (seconds since the epoch; 0: never)")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(counters.get(m) / 1000.0)
                                .build())
                        .build());
                case HISTOGRAM -> out.add(lag(counters.lag(), m));
            }
        }
    }

    /** The lag histogram: bucket b holds lags below 2^b µs, the last one all the rest. */
    private static HistogramSnapshot lag(LagHistogram lag, Metric m) {
        long[] counts = lag.buckets();
        double[] bounds = new double[counts.length];
        for (int b = 0; b < counts.length - 1; b++) {
            bounds[b] = Math.scalb(1.0, b) / 1e6;
        }
        bounds[counts.length - 1] = Double.POSITIVE_INFINITY;
        return HistogramSnapshot.builder().name("uproc_event_lag_seconds")
                .help(m.help() + " (from the kernel's timestamp to the files)")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts)).build())
                .build();
    }
}
