package uprocfs.fuse;

/**
 * A reason not to start, with the exit code that says which kind of reason and a message
 * that says what to do about it.
 */
public final class StartFailure extends Exception {
    private final int exitCode;

    public StartFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public StartFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** One of {@link ExitCode}'s values. */
    public int exitCode() {
        return exitCode;
    }
}
