package uprocfs.fuse.daemon;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import uprocfs.core.engine.Namespace;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.proc.ProcessUsage;
import uprocfs.core.stats.SetUsage;

/**
 * The per-namespace metrics that come from the members' own /proc files, read at the
 * scrape: only the members' files, never a walk of all of /proc. CPU and io are counters
 * that never go down ({@link SetUsage} keeps what members that have ended used); threads,
 * resident memory, open files and the oldest start are gauges. The reads stop at
 * {@link #BUDGET} per scrape; members not read are counted in
 * {@code uproc_namespace_unread_processes}, and the counters keep their last values.
 * Scrapes run one at a time (one server thread). A namespace's series appear with the
 * first scrape that finds a member in it.
 */
final class ProcMemberUsage implements MemberUsage {
    /** The most a scrape spends reading members' files: well under Prometheus's default 10 s timeout. */
    static final Duration BUDGET = Duration.ofSeconds(3);

    /** The names this adds, for a scrape that asks for some metrics only ({@code name[]=}). */
    static final List<String> NAMES = List.of("uproc_namespace_threads", "uproc_namespace_cpu_seconds",
            "uproc_namespace_resident_bytes", "uproc_namespace_read_bytes", "uproc_namespace_write_bytes",
            "uproc_namespace_open_fds", "uproc_namespace_oldest_start_time_seconds",
            "uproc_namespace_unread_processes");

    private final ProcFs proc;
    private ProcessUsage.Reader reader;
    private final Map<String, SetUsage> sets = new HashMap<>();

    ProcMemberUsage(ProcFs proc) {
        this.proc = proc;
    }

    @Override
    public synchronized List<MetricSnapshot> collect(List<Namespace> namespaces) {
        if (reader == null) {
            try {
                reader = ProcessUsage.reader(proc);
            } catch (IOException e) {
                // No boot time: nothing here can be read; the unread count says so, and the
                // next scrape tries again.
            }
        }
        long deadline = System.nanoTime() + BUDGET.toNanos();
        GaugeSnapshot.Builder threads = gauge(NAMES.get(0), "Threads of the namespace's processes");
        CounterSnapshot.Builder cpu = counter(NAMES.get(1), "CPU time of the namespace's processes, those that "
                + "have ended included, by mode");
        GaugeSnapshot.Builder resident = gauge(NAMES.get(2), "Resident memory of the namespace's processes (VmRSS)");
        CounterSnapshot.Builder read = counter(NAMES.get(3), "Bytes the namespace's processes read from storage "
                + "(/proc/PID/io read_bytes), those that have ended included");
        CounterSnapshot.Builder write = counter(NAMES.get(4), "Bytes the namespace's processes wrote to storage "
                + "(/proc/PID/io write_bytes), those that have ended included");
        GaugeSnapshot.Builder fds = gauge(NAMES.get(5), "Open file descriptors of the namespace's processes");
        GaugeSnapshot.Builder oldest = gauge(NAMES.get(6), "Start time of the namespace's oldest process, "
                + "seconds since the epoch");
        GaugeSnapshot.Builder unread = gauge(NAMES.get(7), "Members whose /proc files this scrape could not "
                + "read (its time budget spent, or unreadable): their values are not guessed");
        Set<String> seen = new HashSet<>();
        for (Namespace ns : namespaces) {
            String name = ns.name();
            if (name == null) {
                continue;
            }
            if (ns.memberCount() == 0 && !sets.containsKey(name)) {
                // Never read a member: nothing to say, and no member list to copy.
                continue;
            }
            seen.add(name);
            int[] pids = ns.pids();
            Labels labels = Labels.of(MetricsExport.NAMESPACE, name);
            if (reader == null) {
                unread.dataPoint(point(labels, pids.length));
                continue;
            }
            SetUsage.Scrape s = sets.computeIfAbsent(name, n -> new SetUsage()).update(pids, reader, deadline);
            threads.dataPoint(point(labels, s.threads()));
            cpu.dataPoint(count(Labels.of(MetricsExport.NAMESPACE, name, "mode", "user"), s.cpuUserSeconds()));
            cpu.dataPoint(count(Labels.of(MetricsExport.NAMESPACE, name, "mode", "system"), s.cpuSystemSeconds()));
            resident.dataPoint(point(labels, s.residentBytes()));
            read.dataPoint(count(labels, s.readBytes()));
            write.dataPoint(count(labels, s.writeBytes()));
            fds.dataPoint(point(labels, s.openFds()));
            if (!Double.isNaN(s.oldestStartTimeSeconds())) {
                oldest.dataPoint(point(labels, s.oldestStartTimeSeconds()));
            }
            unread.dataPoint(point(labels, s.notRead()));
        }
        // A namespace gone (a reload, a templated file emptied) takes its memory with it.
        sets.keySet().retainAll(seen);
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(threads.build());
        out.add(cpu.build());
        out.add(resident.build());
        out.add(read.build());
        out.add(write.build());
        out.add(fds.build());
        out.add(oldest.build());
        out.add(unread.build());
        return out;
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterSnapshot.CounterDataPointSnapshot count(Labels labels, double value) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
