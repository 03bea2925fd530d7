package uprocfs.fuse.daemon;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import uprocfs.core.engine.Namespace;

/** The per-namespace metrics read from the members' own /proc files at a scrape. */
interface MemberUsage {
    List<MetricSnapshot> collect(List<Namespace> namespaces);
}
