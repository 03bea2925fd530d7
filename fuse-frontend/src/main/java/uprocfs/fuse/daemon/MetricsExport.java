package uprocfs.fuse.daemon;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import uprocfs.core.engine.EngineView;
import uprocfs.core.engine.Namespace;
import uprocfs.core.event.ExitStatus;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.LagHistogram;
import uprocfs.core.stats.Metric;

/**
 * What {@code /metrics} shows, made at each scrape from what the daemon already keeps: per
 * namespace, its processes and the counters of who joined and how members ended; then every
 * {@link Metric} of the registry {@code .status} shows, under the same names with
 * {@code uproc_} before them, the event lag as a histogram; and how long the scrape took.
 *
 * <p>No label holds a PID, a command line or any other value the configuration does not
 * bound: the only labels are the namespace (a file name, bounded by the rules and
 * {@code max_templated}), {@code how} and {@code mode}.
 */
final class MetricsExport implements MultiCollector {
    static final String NAMESPACE = "namespace";

    private final EngineView view;
    private final MemberUsage usage;

    /** @param usage what is read from the members' own /proc files at each scrape, or {@code null} for none */
    MetricsExport(EngineView view, MemberUsage usage) {
        this.view = view;
        this.usage = usage;
    }

    @Override
    public MetricSnapshots collect() {
        return collect(name -> true);
    }

    /** What the HTTP server calls: the scrape's {@code name[]} parameters are the filter. */
    @Override
    public MetricSnapshots collect(java.util.function.Predicate<String> included,
                                   io.prometheus.metrics.model.registry.PrometheusScrapeRequest request) {
        MetricSnapshots all = collect(included);
        List<MetricSnapshot> kept = new ArrayList<>(all.size());
        for (MetricSnapshot m : all) {
            if (included.test(m.getMetadata().getPrometheusName())) {
                kept.add(m);
            }
        }
        return new MetricSnapshots(kept);
    }

    /**
     * A scrape that names the metrics it wants ({@code /metrics?name[]=uproc_namespace_processes})
     * reads no /proc file unless it wants one of the metrics that come from them.
     */
    @Override
    public synchronized MetricSnapshots collect(java.util.function.Predicate<String> included) {
        long t0 = System.nanoTime();
        List<Namespace> namespaces = view.namespaces();
        List<MetricSnapshot> out = new ArrayList<>();
        GaugeSnapshot.Builder processes = GaugeSnapshot.builder().name("uproc_namespace_processes")
                .help("Processes in the namespace now (its file's lines)");
        CounterSnapshot.Builder exits = CounterSnapshot.builder().name("uproc_namespace_exits")
                .help("Members that ended, by how: ok (exit 0), error (exit status not 0), signal (killed)");
        CounterSnapshot.Builder joins = CounterSnapshot.builder().name("uproc_namespace_joins")
                .help("Processes that entered the namespace (fork, exec, rename, id change; at startup, those found); "
                    + "this and the exits appear with a namespace's first process");
        for (Namespace ns : namespaces) {
            String name = ns.name();
            if (name == null) {
                continue;
            }
            Labels labels = labelsOf(name);
            processes.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels)
                    .value(ns.memberCount()).build());
            if (ns.joins() == 0) {
                // Never had a member, so no exit either: its counters appear with its first
                // process, as a client library's labelled counter does. With 100,000 rules,
                // most of them, and a scrape a tenth the size.
                continue;
            }
            for (ExitStatus how : ExitStatus.values()) {
                exits.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of(NAMESPACE, name, "how", how.label())).value(ns.exits(how)).build());
            }
            joins.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(ns.joins())
                    .build());
        }
        labelsSeen();
        out.add(processes.build());
        out.add(exits.build());
        out.add(joins.build());
        if (usage != null && ProcMemberUsage.NAMES.stream().anyMatch(n -> included.test(n)
                || included.test(n + "_total"))) {
            out.addAll(usage.collect(namespaces));
        }
        registry(view.counters(), out);
        out.add(GaugeSnapshot.builder().name("uproc_scrape_duration_seconds")
                .help("How long this scrape took to gather, /proc reads included")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value((System.nanoTime() - t0) / 1e9).build())
                .build());
        return new MetricSnapshots(out);
    }

    /**
     * The {@code namespace} label of each name, made once: building a label set checks its
     * names and values, and a scrape of 100,000 namespaces would check them 100,000 times.
     * Kept for the names of the last scrape only.
     */
    private Map<String, Labels> labels = new HashMap<>();
    private Map<String, Labels> nextLabels = new HashMap<>();

    private Labels labelsOf(String name) {
        Labels l = labels.get(name);
        if (l == null) {
            l = Labels.of(NAMESPACE, name);
        }
        nextLabels.put(name, l);
        return l;
    }

    /** The scrape is over: the labels of namespaces it did not see go. */
    private void labelsSeen() {
        Map<String, Labels> done = labels;
        labels = nextLabels;
        done.clear();
        nextLabels = done;
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
