package uprocfs.fuse.daemon;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** The operating system's words for a failed file operation, for messages a user reads. */
public final class SystemError {
    private SystemError() {
    }

    /**
     * "No such file or directory", "Transport endpoint is not connected"...: what strerror
     * says, without Java's exception class names or the path repeated.
     */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
