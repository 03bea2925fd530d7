package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DaemonTest {
    @Test
    void countsInTheLogReadLikeEnglish() {
        assertEquals("1 namespace", Daemon.count(1, "namespace"));
        assertEquals("0 namespaces", Daemon.count(0, "namespace"));
        assertEquals("1 process", Daemon.count(1, "process"));
        assertEquals("250 processes", Daemon.count(250, "process"));
    }
}
