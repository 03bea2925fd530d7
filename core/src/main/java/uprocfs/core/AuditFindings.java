package uprocfs.core;

/**
 * The processes a scan of /proc found different from the task table, before anything was
 * changed: each is either drift (an event was lost) or an event still queued in the
 * socket. {@link Engine#auditConfirm} tells them apart by looking again later.
 *
 * @param suspects pids that differed (missing, extra, or another identity)
 * @param scanned  processes the scan read
 */
public record AuditFindings(int[] suspects, int scanned) {
}
