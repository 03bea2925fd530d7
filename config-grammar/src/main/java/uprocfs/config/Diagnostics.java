package uprocfs.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Errors and warnings found while reading one configuration, in the order found.
 *
 * <p>A file of binary garbage yields an error every few bytes; only the first
 * {@value #KEPT} of each kind are kept, the rest are counted, so memory stays bounded
 * whatever the input.
 */
final class Diagnostics {

    static final int KEPT = 1000;

    /** Longest value, in characters, quoted in a message before it is cut short. */
    private static final int QUOTED_MAX = 64;

    private final String source;
    private final List<ConfigError> errors = new ArrayList<>();
    private int omittedErrors;
    private final List<String> warnings = new ArrayList<>();
    private int omittedWarnings;

    Diagnostics(String source) {
        this.source = source;
    }

    void error(int line, int column, String message) {
        if (errors.size() < KEPT) {
            errors.add(new ConfigError(source, line, column, message));
        } else {
            omittedErrors++;
        }
    }

    void warning(int line, int column, String message) {
        if (warnings.size() < KEPT) {
            warnings.add(new ConfigError(source, line, column, "warning: " + message).toString());
        } else {
            omittedWarnings++;
        }
    }

    /** A warning that is already rendered, such as one about the user database behind a default config. */
    void warning(String rendered) {
        if (warnings.size() < KEPT) {
            warnings.add(rendered);
        } else {
            omittedWarnings++;
        }
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /**
     * The errors in file order: those settled after the last line (an under naming a
     * later namespace) go back to their own line.
     */
    ConfigException exception() {
        errors.sort(Comparator.comparingInt(ConfigError::line));
        return new ConfigException(errors, omittedErrors);
    }

    List<String> warnings() {
        if (omittedWarnings == 0) {
            return warnings;
        }
        List<String> all = new ArrayList<>(warnings);
        all.add(source + ": and " + omittedWarnings + " more warnings");
        return all;
    }

    /** A value as it appears in a message, in single quotes; see {@link #shown}. */
    static String quote(String value) {
        return "'" + shown(value) + "'";
    }

    /**
     * A value as it appears in a message: control characters shown as {@code \xNN} so
     * that a stray escape or carriage return is visible instead of acting on the
     * terminal, and cut short when long so that a 1 MiB word does not become a 1 MiB
     * message.
     */
    static String shown(String value) {
        StringBuilder shown = new StringBuilder(Math.min(value.length(), QUOTED_MAX) + 8);
        int count = 0;
        for (int i = 0; i < value.length(); ) {
            if (count == QUOTED_MAX) {
                shown.append("...");
                break;
            }
            int c = value.codePointAt(i);
            if (Character.isISOControl(c)) {
                shown.append(String.format("\\x%02x", c));
            } else {
                shown.appendCodePoint(c);
            }
            i += Character.charCount(c);
            count++;
        }
        return shown.toString();
    }
}
