package uprocfs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;

/**
 * A directory laid out like /proc with status files for chosen processes, so the engine
 * can be measured without the machine's real process list moving under it.
 */
final class SyntheticProc implements AutoCloseable {
    private final Path root;

    SyntheticProc() throws IOException {
        root = Files.createTempDirectory("uprocfs-bench-proc");
    }

    ProcFs procFs() {
        return new ProcFs(root);
    }

    void process(int pid, int ppid, int euid, int egid, String name) throws IOException {
        String status = "Name:\t" + name + "\nTgid:\t" + pid + "\nPid:\t" + pid + "\nPPid:\t" + ppid
                + "\nUid:\t" + euid + "\t" + euid + "\t" + euid + "\t" + euid
                + "\nGid:\t" + egid + "\t" + egid + "\t" + egid + "\t" + egid + "\n";
        Path dir = Files.createDirectories(root.resolve(Integer.toString(pid)));
        Files.write(dir.resolve("status"), status.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Gives {@code pid} an executable and a command line (each argument ended by a NUL). */
    void detail(int pid, String exe, String... args) throws IOException {
        Path dir = root.resolve(Integer.toString(pid));
        Files.deleteIfExists(dir.resolve("exe"));
        Files.createSymbolicLink(dir.resolve("exe"), Path.of(exe));
        StringBuilder cmdline = new StringBuilder();
        for (String a : args) {
            cmdline.append(a).append('\0');
        }
        Files.write(dir.resolve("cmdline"), cmdline.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An engine over {@code proc} with its startup scan installed, the benchmark's thread
     * playing the event loop.
     */
    static EngineAgent started(RuleSet rules, ProcFs proc) {
        EngineAgent engine = new EngineAgent(rules, proc);
        java.util.concurrent.CompletableFuture<?> installed = engine.install(proc.scan(engine.view().procDetail()));
        while (!installed.isDone()) {
            engine.doWork();
        }
        installed.join();
        return engine;
    }
}
