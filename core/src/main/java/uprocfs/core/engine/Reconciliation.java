package uprocfs.core.engine;

/**
 * What a full comparison of the task table with {@code /proc} found and fixed.
 *
 * @param scanned  processes read from /proc
 * @param added    processes /proc had and the table did not
 * @param removed  processes the table had and /proc did not
 * @param changed  processes whose uid, gid or name differed
 * @param nanos    how long the scan and the diff took
 */
public record Reconciliation(int scanned, int added, int removed, int changed, long nanos) {
    /** Number of differences repaired. */
    public int repairs() {
        return added + removed + changed;
    }
}
