package uprocfs.core.event;

/**
 * How a process ended, from the wait status the kernel reports in its EXIT event
 * (cn_proc's {@code exit_code}, the task's {@code exit_code}: wait(2)'s status word): killed
 * by a signal when its low 7 bits are not zero, else ended with the exit code in bits 8 to
 * 15, which is an error when not zero.
 */
public enum ExitStatus {
    /** exit(0). */
    OK,
    /** exit(N), N not 0. */
    ERROR,
    /** Killed by a signal. */
    SIGNAL;

    public static ExitStatus of(int status) {
        if ((status & 0x7f) != 0) {
            return SIGNAL;
        }
        return ((status >> 8) & 0xff) != 0 ? ERROR : OK;
    }

    /** {@link #of}'s ordinal, without an array: for counters indexed by it. */
    public static int index(int status) {
        return of(status).ordinal();
    }

    /** The label value: {@code ok}, {@code error}, {@code signal}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
