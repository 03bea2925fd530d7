package uprocfs.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it.
 *
 * <p>The loader does not stop at the first mistake: it reports all of them so a file
 * can be fixed in one pass. Its message lists the first {@value #LISTED_IN_MESSAGE}
 * errors, one per line; {@link #errors()} has all that were kept.
 */
public final class ConfigException extends Exception {

    /** How many errors {@link #getMessage()} spells out before summing up the rest. */
    public static final int LISTED_IN_MESSAGE = 20;

    private final List<ConfigError> errors;
    private final int omitted;

    /**
     * @param errors  the errors, in file order; at least one
     * @param omitted errors found but not kept, because a file of garbage can hold millions
     */
    public ConfigException(List<ConfigError> errors, int omitted) {
        super(render(errors, omitted));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
        this.omitted = omitted;
    }

    /** One error about the file as a whole, such as "no such file". */
    static ConfigException ofFile(String source, String message) {
        return new ConfigException(List.of(ConfigError.ofFile(source, message)), 0);
    }

    /** The errors kept, in file order. */
    public List<ConfigError> errors() {
        return errors;
    }

    /** All errors found, including those not kept. */
    public int errorCount() {
        return errors.size() + omitted;
    }

    private static String render(List<ConfigError> errors, int omitted) {
        StringBuilder text = new StringBuilder();
        int listed = Math.min(errors.size(), LISTED_IN_MESSAGE);
        for (int i = 0; i < listed; i++) {
            if (i > 0) {
                text.append('\n');
            }
            text.append(errors.get(i));
        }
        int rest = errors.size() - listed + omitted;
        if (rest > 0) {
            text.append("\nand ").append(rest).append(rest == 1 ? " more error" : " more errors");
        }
        return text.toString();
    }
}
