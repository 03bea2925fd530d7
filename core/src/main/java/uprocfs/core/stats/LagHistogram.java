package uprocfs.core.stats;

import java.util.Arrays;

/**
 * How long events waited between the kernel's timestamp and their application, in
 * power-of-two microsecond buckets: recording is a few instructions and allocates nothing;
 * quantiles are good to a factor of two, which is what "is it microseconds or seconds"
 * needs. Not thread-safe: {@link Counters} keeps one written by its owner and a published
 * copy for readers.
 */
public final class LagHistogram {
    static final int BUCKETS = 40;

    private final long[] buckets = new long[BUCKETS];
    private long count;
    private long maxNanos;

    void record(long lagNanos) {
        long micros = Math.max(0, lagNanos) / 1000;
        int b = 64 - Long.numberOfLeadingZeros(micros);
        buckets[Math.min(b, BUCKETS - 1)]++;
        count++;
        if (lagNanos > maxNanos) {
            maxNanos = lagNanos;
        }
    }

    void copyFrom(LagHistogram other) {
        System.arraycopy(other.buckets, 0, buckets, 0, BUCKETS);
        count = other.count;
        maxNanos = other.maxNanos;
    }

    public long count() {
        return count;
    }

    public long maxNanos() {
        return maxNanos;
    }

    /** Events per bucket; bucket b holds lags below 2^b microseconds (b = 0: below 1 µs). */
    public long[] buckets() {
        return Arrays.copyOf(buckets, BUCKETS);
    }

    /**
     * The upper bound, in microseconds, of the bucket holding quantile {@code q} (0..1);
     * 0 when nothing was recorded.
     */
    public long quantileMicros(double q) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += buckets[b];
            if (seen >= rank) {
                return b == 0 ? 0 : 1L << b;
            }
        }
        return 1L << (BUCKETS - 1);
    }
}
