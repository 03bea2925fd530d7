package uprocfs.fuse;

import java.io.PrintStream;
import uprocfs.config.LoadedConfig;
import uprocfs.fuse.daemon.ConfigSource;
import uprocfs.fuse.daemon.Daemon;
import uprocfs.fuse.daemon.DaemonSettings;

/**
 * {@code uproc --check}, as {@code nginx -t} and {@code sshd -t}: reads the configuration
 * from the same place, with the same checks, as the daemon at startup and on SIGHUP, and
 * mounts nothing. What it prints is for a person and for {@code ExecReload=}: one line on
 * standard output when the rules can be used; warnings and errors on standard error, each
 * as the loader words it ({@code FILE:LINE:COL: ...}), so editors and grep find the line.
 */
final class ConfigCheck {
    private ConfigCheck() {
    }

    /** Returns {@link ExitCode#OK} when the rules can be used, else {@link ExitCode#CONFIG}. */
    static int run(DaemonSettings settings, PrintStream out, PrintStream err) {
        LoadedConfig loaded;
        try {
            loaded = new ConfigSource(settings.configFile()).load(err::println);
        } catch (StartFailure f) {
            err.println(f.getMessage());
            err.println("uproc: the configuration cannot be used; a running daemon keeps its own on reload");
            return f.exitCode();
        }
        int warnings = loaded.warnings().size();
        int templated = (int) loaded.rules().rules().stream().filter(r -> r.templated()).count();
        int fixed = loaded.rules().size() - templated;
        out.println("configuration ok: " + Daemon.count(fixed, "namespace")
                + (templated == 0 ? "" : " and " + templated + " templated " + (templated == 1 ? "rule" : "rules")
                    + " (a file per value)")
                + " from " + loaded.rules().source() + (warnings == 0 ? "" : ", " + Daemon.count(warnings, "warning")));
        return ExitCode.OK;
    }
}
