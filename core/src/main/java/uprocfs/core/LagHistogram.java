package uprocfs.core;

/**
 * How long events waited between the kernel's timestamp and their application, in
 * power-of-two microsecond buckets: recording is a few instructions and allocates nothing;
 * quantiles are good to a factor of two, which is what "is it microseconds or seconds"
 * needs.
 */
public final class LagHistogram {
    private final long[] buckets = new long[40];
    private long count;
    private long maxNanos;

    /** Writer only. */
    void record(long lagNanos) {
        long micros = Math.max(0, lagNanos) / 1000;
        int b = 64 - Long.numberOfLeadingZeros(micros);
        buckets[Math.min(b, buckets.length - 1)]++;
        count++;
        if (lagNanos > maxNanos) {
            maxNanos = lagNanos;
        }
    }

    public long count() {
        return count;
    }

    public long maxNanos() {
        return maxNanos;
    }

    /**
     * The upper bound, in microseconds, of the bucket holding quantile {@code q} (0..1);
     * 0 when nothing was recorded.
     */
    public long quantileMicros(double q) {
        long total = count;
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int b = 0; b < buckets.length; b++) {
            seen += buckets[b];
            if (seen >= rank) {
                return b == 0 ? 0 : 1L << b;
            }
        }
        return 1L << (buckets.length - 1);
    }
}
