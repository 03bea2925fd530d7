package uprocfs.core;

import java.util.Map;

/**
 * A consistent snapshot of the engine's counters, for the status file and logs.
 *
 * @param tasks             processes in the task table
 * @param namespaces        namespaces of the current configuration
 * @param eventsByKind      events applied, by kind name ("fork", "exec", ...)
 * @param threadEvents      thread forks and exits seen (and rightly ignored)
 * @param reconciliations   full comparisons with /proc done
 * @param repairs           differences those comparisons fixed, in total
 * @param audits            periodic audits completed
 * @param auditRepairs      differences audits found still there after the event queue
 *                          drained, i.e. drift repaired (0 in a healthy run)
 * @param lagCount          events whose kernel-to-applied lag was measured
 * @param lagP50Micros      median lag, microseconds (power-of-two bucket bound)
 * @param lagP99Micros      99th percentile lag, microseconds (bucket bound)
 * @param lagMaxMicros      largest lag seen, microseconds
 */
public record EngineStats(int tasks, int namespaces, Map<String, Long> eventsByKind, long threadEvents,
                          long reconciliations, long repairs, long audits, long auditRepairs,
                          long lagCount, long lagP50Micros, long lagP99Micros, long lagMaxMicros) {
}
