package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Names from the name service switch, and what is not one. */
class GetentLookupTest {
    @Test
    void theNameIsTheFirstFieldOfTheLineForThatId() {
        assertEquals("alice", GetentLookup.nameOf("alice:x:1000:1000:Alice:/home/alice:/bin/bash\n", "1000"));
        assertEquals("staff", GetentLookup.nameOf("staff:x:50:alice,bob\n", "50"));
        assertNull(GetentLookup.nameOf("", "1000"));
        assertNull(GetentLookup.nameOf("mallory:x:0:0::/:/bin/sh\n", "1000"), "a line for another id is no answer");
        assertNull(GetentLookup.nameOf(":x:1000:1000::/:/bin/sh\n", "1000"));
        assertNull(GetentLookup.nameOf("garbage\n", "1000"));
    }

    @Test
    void rootIsNamedAndAnIdWithoutAccountIsNot() throws Exception {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        GetentLookup lookup = new GetentLookup(DaemonLog.forCommand(new PrintStream(logged, true,
                StandardCharsets.UTF_8)));
        try {
            CompletableFuture<String> root = new CompletableFuture<>();
            lookup.request(false, 0, (group, id, name) -> root.complete(name));
            assertEquals("root", root.get(60, TimeUnit.SECONDS));
            CompletableFuture<String> none = new CompletableFuture<>();
            lookup.request(true, 60799, (group, id, name) -> none.complete(name == null ? "none" : name));
            assertEquals("none", none.get(60, TimeUnit.SECONDS));
        } finally {
            lookup.stop();
        }
        assertEquals("", logged.toString(StandardCharsets.UTF_8));
    }
}
