package uprocfs.core.proc;

/** The process list itself could not be read: without it the daemon knows nothing. */
public final class ProcScanException extends RuntimeException {
    public ProcScanException(String message, Throwable cause) {
        super(message, cause);
    }
}
