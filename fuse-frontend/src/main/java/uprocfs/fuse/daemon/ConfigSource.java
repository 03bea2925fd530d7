package uprocfs.fuse.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import uprocfs.config.ConfigException;
import uprocfs.config.ConfigLoader;
import uprocfs.config.DefaultConfig;
import uprocfs.config.LoadedConfig;
import uprocfs.fuse.ExitCode;
import uprocfs.fuse.StartFailure;

/**
 * Where the rules come from, read the same way at startup and on every SIGHUP: the file
 * given with {@code -o config_file}, else {@code /etc/uproc.conf}, else (when that does not
 * exist) one namespace per user and per group of the system, as the original's helper
 * script would have written.
 */
public final class ConfigSource {
    private final Path explicit;
    private final Path defaultFile;

    /** Rules from {@code explicit}, or from the default places when it is {@code null}. */
    public ConfigSource(Path explicit) {
        this(explicit, DaemonSettings.DEFAULT_CONFIG);
    }

    ConfigSource(Path explicit, Path defaultFile) {
        this.explicit = explicit;
        this.defaultFile = defaultFile;
    }

    /**
     * Passes when {@link #load} would get to parse: the file exists, may be trusted and
     * opens (see {@link ConfigLoader#verifyReadable}). A stat and an open, no parse: what a
     * background start checks before it leaves the parse to the daemon.
     *
     * @throws StartFailure ({@link ExitCode#CONFIG}) with the same message {@link #load}
     *                      would give
     */
    public void verifyReadable() throws StartFailure {
        Path file = explicit != null ? explicit : Files.exists(defaultFile) ? defaultFile : null;
        if (file == null) {
            return;
        }
        try {
            ConfigLoader.verifyReadable(file);
        } catch (ConfigException e) {
            throw new StartFailure(ExitCode.CONFIG, e.getMessage(), e);
        }
    }

    /**
     * Reads the rules.
     *
     * @param notices gets what the user should read about the configuration that is no
     *                error, one line each: the loader's warnings, and which rules stand in
     *                for a missing default file
     * @throws StartFailure ({@link ExitCode#CONFIG}) with the loader's {@code FILE:LINE:COL:}
     *                      lines; an explicitly named file that is missing is such an error
     */
    public LoadedConfig load(Consumer<String> notices) throws StartFailure {
        LoadedConfig loaded;
        try {
            if (explicit != null) {
                loaded = ConfigLoader.load(explicit);
            } else if (Files.exists(defaultFile)) {
                loaded = ConfigLoader.load(defaultFile);
            } else {
                notices.accept(defaultFile + " does not exist: using one namespace per user (uid.NAME) and per group "
                        + "(gid.NAME); to choose your own, write " + defaultFile + " (uproc-config prints a start; in a "
                        + "source checkout, tools/uproc-config)"
                        + " or pass -o config_file=FILE");
                loaded = DefaultConfig.load();
            }
        } catch (ConfigException e) {
            throw new StartFailure(ExitCode.CONFIG, e.getMessage(), e);
        }
        loaded.warnings().forEach(notices);
        return loaded;
    }
}
