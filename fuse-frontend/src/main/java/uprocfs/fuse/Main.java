package uprocfs.fuse;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/** The {@code uproc} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line and returns the exit code instead of exiting: what tests call. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        // A daemon's start, the common case, without picocli's cold start (DaemonCommandLine).
        DaemonCommandLine daemon = DaemonCommandLine.parse(args);
        if (daemon != null) {
            return UprocCommand.start(daemon, false, out, err);
        }
        CommandLine line = new CommandLine(new UprocCommand(out, err));
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        line.setParameterExceptionHandler((e, given) -> {
            // The message and where to look, not the whole help: it would bury the message.
            PrintWriter w = e.getCommandLine().getErr();
            w.println("uproc: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, w);
            w.println("Try 'uproc --help' for more information.");
            return ExitCode.USAGE;
        });
        return line.execute(args);
    }
}
