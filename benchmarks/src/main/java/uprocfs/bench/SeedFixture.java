package uprocfs.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The seed's test bed on the real machine: {@code rules} {@code uid N uid.N} rules plus
 * {@code uid U bench}, {@code tasks} processes "sleep" running as uid U (started through
 * {@code setpriv}), and uprocfs mounted by the {@code uproc} launcher of the source tree.
 * Needs root. {@link #close()} stops every process it started, by PID, and unmounts.
 */
final class SeedFixture implements AutoCloseable {
    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");

    private final Path work;
    private final Path mount;
    private final List<Long> sleepers = new ArrayList<>();
    private Process spawner;
    private long daemonPid = -1;
    private Path floor;
    private Process floorfs;

    /**
     * @param tree the source tree whose {@code ./uproc} mounts (the current directory when
     *             the benchmarks run from the tree's root)
     */
    SeedFixture(Path tree, int rules, int tasks, int uid) throws IOException, InterruptedException {
        work = Files.createTempDirectory(Path.of("/dev/shm"), "uprocfs-jmh");
        mount = Files.createDirectory(work.resolve("mnt"));
        try {
            Path config = work.resolve("rules.conf");
            StringBuilder text = new StringBuilder(rules * 20);
            for (int i = 1; i <= rules; i++) {
                text.append("uid ").append(i).append(" uid.").append(i).append('\n');
            }
            text.append("uid ").append(uid).append(" bench\n");
            Files.writeString(config, text, StandardCharsets.US_ASCII);
            spawn(tasks, uid);
            mount(tree.resolve("uproc"), config);
            awaitLines(namespaceFile(), tasks);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The mounted {@code bench} file. */
    Path namespaceFile() {
        return mount.resolve("bench");
    }

    /** A file of {@code bytes} on tmpfs. */
    Path plainCopy(byte[] bytes) throws IOException {
        return Files.write(work.resolve("plain"), bytes);
    }

    /**
     * The same {@code bytes} served by floorfs ({@code benchmarks/src/main/c/floorfs.c},
     * built now with gcc and libfuse's headers), mounted with uprocfs's options: the FUSE
     * floor. Returns its file.
     */
    Path floorCopy(byte[] bytes, Path tree) throws IOException, InterruptedException {
        Path content = Files.write(work.resolve("floor-content"), bytes);
        Path binary = work.resolve("floorfs");
        Process build = new ProcessBuilder("sh", "-c", "gcc -O2 -Wall -o \"$1\" \"$2\" $(pkg-config --cflags --libs fuse)",
                "sh", binary.toString(), tree.resolve("benchmarks/src/main/c/floorfs.c").toString())
                .redirectErrorStream(true).start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (build.waitFor() != 0) {
            throw new IllegalStateException("floorfs did not build (needs gcc, pkg-config, libfuse-dev): " + output);
        }
        floor = Files.createDirectory(work.resolve("floor"));
        floorfs = new ProcessBuilder(binary.toString(), content.toString(), floor.toString(), "-f",
                "-o", "fsname=floorfs,direct_io,entry_timeout=3600,attr_timeout=0,negative_timeout=0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Path file = floor.resolve("bench");
        while (!Files.exists(file)) {
            if (!floorfs.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("floorfs did not mount " + floor);
            }
            Thread.sleep(20);
        }
        return file;
    }

    /** One root shell starts the sleepers, prints their PIDs, and waits for (reaps) them. */
    private void spawn(int tasks, int uid) throws IOException, InterruptedException {
        spawner = new ProcessBuilder("bash", "-c",
                "for ((i = 0; i < $1; i++)); do setpriv --reuid=$2 --regid=$2 --clear-groups -- sleep 7200"
                        + " </dev/null >/dev/null 2>&1 & echo $!; done; exec >&-; wait",
                "_", Integer.toString(tasks), Integer.toString(uid))
                // Not into the PID pipe: the shell keeps its stderr open until the sleepers end.
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader pids = new BufferedReader(new InputStreamReader(spawner.getInputStream(),
                StandardCharsets.US_ASCII))) {
            for (String line; (line = pids.readLine()) != null; ) {
                sleepers.add(Long.parseLong(line.trim()));
            }
        }
        if (sleepers.size() != tasks) {
            throw new IllegalStateException("started " + sleepers.size() + " of " + tasks + " tasks");
        }
        // setpriv execs sleep, keeping the PID: wait until every one of them has.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (countRunning(uid) < tasks) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the tasks did not start within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private static long countRunning(int uid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-c", "-u", Integer.toString(uid), "-x", "sleep").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        p.waitFor();
        return out.isEmpty() ? 0 : Long.parseLong(out);
    }

    private void mount(Path launcher, Path config) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(launcher.toString(), "-o",
                "config_file=" + config + ",log_file=" + work.resolve("uproc.log"), mount.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        Matcher m = DAEMON_PID.matcher(out);
        if (m.find()) {
            daemonPid = Long.parseLong(m.group(1));
        }
        if (status != 0 || daemonPid < 0) {
            throw new IllegalStateException(launcher + " failed (status " + status + "): " + out);
        }
    }

    private static void awaitLines(Path file, int lines) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.readAllLines(file).size() != lines) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(file + " does not list " + lines + " PIDs");
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        if (floorfs != null) {
            run("fusermount", "-u", floor.toString());
            floorfs.destroy();
        }
        if (daemonPid > 0) {
            run("fusermount", "-u", mount.toString());
            ProcessHandle.of(daemonPid).ifPresent(SeedFixture::stop);
        }
        for (long pid : sleepers) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        if (spawner != null) {
            try {
                spawner.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> walk = Files.walk(work)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The daemon ends on its own once unmounted; SIGTERM, then SIGKILL, should it not. */
    private static void stop(ProcessHandle daemon) {
        try {
            daemon.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception notYet) {
            daemon.destroy();
            try {
                daemon.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception stillNot) {
                daemon.destroyForcibly();
            }
        }
    }

    private static void run(String... command) {
        try {
            new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
