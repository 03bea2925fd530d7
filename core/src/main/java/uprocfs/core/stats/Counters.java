package uprocfs.core.stats;

import java.util.concurrent.locks.StampedLock;

/**
 * The one registry of the daemon's numbers: a value per {@link Metric} and the lag histogram.
 *
 * <p>One thread owns it, the event loop (docs/ARCHITECTURE.md, "Threads"): every write
 * ({@link #add}, {@link #set}, {@link #recordLag}) is a plain write on that thread, without
 * locks or atomics, and so are its own reads ({@link #get}). Other threads read only what
 * the owner last {@link #publish published}: a copy taken at a point where the owner's
 * state is whole (between batches), so a reader never sees a batch's events counted
 * without their lag, or a repair without its audit. Publishing copies a few hundred bytes
 * under a {@link StampedLock}; readers copy them back with an optimistic read that retries
 * when a publish overlapped it. Nothing allocates on the owner's side.
 */
public final class Counters {
    private static final Metric[] METRICS = Metric.values();

    // The owner's values.
    private final long[] live = new long[METRICS.length];
    private final LagHistogram lag = new LagHistogram();

    // What readers see: the copy made by the last publish.
    private final StampedLock published = new StampedLock();
    private final long[] shown = new long[METRICS.length];
    private final LagHistogram shownLag = new LagHistogram();

    /** Owner only. */
    public void add(Metric m, long n) {
        live[m.ordinal()] += n;
    }

    /** Owner only. */
    public void increment(Metric m) {
        live[m.ordinal()]++;
    }

    /** Owner only: a gauge's level or a timestamp. */
    public void set(Metric m, long value) {
        live[m.ordinal()] = value;
    }

    /** Owner only: the owner's current value, published or not. */
    public long get(Metric m) {
        return live[m.ordinal()];
    }

    /** Owner only: one event's wait between the kernel's timestamp and its application. */
    public void recordLag(long nanos) {
        lag.record(nanos);
    }

    /** Owner only: makes every value written so far what readers see, all at once. */
    public void publish() {
        long stamp = published.writeLock();
        try {
            System.arraycopy(live, 0, shown, 0, live.length);
            shownLag.copyFrom(lag);
        } finally {
            published.unlockWrite(stamp);
        }
    }

    /** Any thread: the values as last published, consistent with each other. */
    public Snapshot snapshot() {
        long[] values = new long[METRICS.length];
        LagHistogram histogram = new LagHistogram();
        long stamp = published.tryOptimisticRead();
        copyShown(values, histogram);
        if (!published.validate(stamp)) {
            stamp = published.readLock();
            try {
                copyShown(values, histogram);
            } finally {
                published.unlockRead(stamp);
            }
        }
        return new Snapshot(values, histogram);
    }

    private void copyShown(long[] values, LagHistogram histogram) {
        System.arraycopy(shown, 0, values, 0, values.length);
        histogram.copyFrom(shownLag);
    }

    /** Published values, as one reader saw them at once. */
    public static final class Snapshot {
        private final long[] values;
        private final LagHistogram lag;

        Snapshot(long[] values, LagHistogram lag) {
            this.values = values;
            this.lag = lag;
        }

        public long get(Metric m) {
            return values[m.ordinal()];
        }

        /** The lag histogram as published (this snapshot's own copy; read-only outside the package). */
        public LagHistogram lag() {
            return lag;
        }
    }
}
