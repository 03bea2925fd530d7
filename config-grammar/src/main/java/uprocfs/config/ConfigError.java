package uprocfs.config;

import java.util.Objects;

/**
 * One problem found in a configuration, where it is and what to do about it.
 *
 * <p>Renders the way compilers do, so editors and terminals can jump to it:
 * {@code FILE:LINE:COL: message}, with 1-based line and column (columns count
 * characters, a tab is one). A problem with the file as a whole (missing, not a
 * regular file, unsafe permissions) has line 0 and renders as {@code FILE: message}.
 *
 * @param source  the file as the user named it, {@code <stdin>} for standard input
 * @param line    1-based line, or 0 for the file as a whole
 * @param column  1-based column, or 0 for the file as a whole
 * @param message what is wrong and how to fix it
 */
public record ConfigError(String source, int line, int column, String message) {

    public ConfigError {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
    }

    /** A problem with the file as a whole rather than with a place in it. */
    static ConfigError ofFile(String source, String message) {
        return new ConfigError(source, 0, 0, message);
    }

    @Override
    public String toString() {
        return line == 0 ? source + ": " + message : source + ":" + line + ":" + column + ": " + message;
    }
}
