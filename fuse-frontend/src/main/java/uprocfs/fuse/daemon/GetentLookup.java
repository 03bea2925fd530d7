package uprocfs.fuse.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import uprocfs.core.engine.AccountLookup;

/**
 * User and group names for templated rules, from {@code getent passwd ID} and
 * {@code getent group ID}: the system's name service switch, so users of LDAP, SSSD and the
 * like have names as they do for {@code ls -l}. On a thread of its own, one lookup at a
 * time: a directory service may take seconds, and the event loop must never wait for it.
 * The engine asks once per id and keeps the answer.
 */
final class GetentLookup implements AccountLookup {
    /** The thread's name, as thread dumps and /proc/PID/task/TID/comm show it. */
    static final String THREAD_NAME = "uproc-accounts";
    /** How long one lookup may take before the id is shown as its number. */
    private static final long TIMEOUT_SECONDS = 30;
    /** More than a name can be: a longer answer is not a name. */
    private static final int MAX_ANSWER_BYTES = 64 << 10;

    private final DaemonLog log;
    private final ExecutorService thread = Resync.backgroundThread(THREAD_NAME);

    GetentLookup(DaemonLog log) {
        this.log = log;
    }

    @Override
    public void request(boolean group, int id, Answer answer) {
        thread.execute(() -> answer.named(group, id, lookUp(group, id)));
    }

    /** Ends the thread; lookups not yet made are dropped (the daemon is stopping). */
    void stop() {
        thread.shutdownNow();
    }

    private String lookUp(boolean group, int id) {
        String database = group ? "group" : "passwd";
        String number = Integer.toUnsignedString(id);
        Process p = null;
        try {
            p = new ProcessBuilder("getent", database, number).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(MAX_ANSWER_BYTES);
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                log.error("getent " + database + " " + number + " took over " + TIMEOUT_SECONDS
                        + " s: showing the id as a number");
                return null;
            }
            // 2: no such entry, the common case of an id without a name.
            return p.exitValue() == 0 ? nameOf(new String(out, StandardCharsets.UTF_8), number) : null;
        } catch (IOException e) {
            log.error("cannot run getent " + database + " " + number + " (" + e.getMessage()
                    + "): showing the id as a number");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    /**
     * The name in a {@code NAME:x:ID:...} line whose id is {@code number}, or {@code null}
     * for anything else: the name service is input like any other.
     */
    static String nameOf(String answer, String number) {
        String line = answer.lines().findFirst().orElse("");
        String[] fields = line.split(":", -1);
        if (fields.length < 3 || fields[0].isEmpty() || !fields[2].equals(number)) {
            return null;
        }
        return fields[0];
    }
}
