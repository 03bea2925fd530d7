package uprocfs.fuse.fs;

import java.util.Arrays;
import uprocfs.core.rule.RuleSpec;

/**
 * The files that are open: for each FUSE file handle ({@code fuse_file_info.fh}), the
 * content snapshot taken at {@code open} and the rule of the namespace it came from. Every
 * {@code read} of the handle serves that snapshot, so a reader never sees a torn list
 * however the namespace changes meanwhile; {@code release} forgets it.
 *
 * <p>Handles are slots of an array reused through a free list, so opening and reading
 * allocate no map entries and box no keys. A handle is its slot index plus one: the kernel
 * hands back 0 for a file we never opened, and 0 must not name a real snapshot.
 */
final class HandleTable {
    /**
     * What an open file serves. {@code content} is shared and never modified; {@code rule}
     * is {@code null} for the status file, which everyone may read.
     */
    record Handle(byte[] content, RuleSpec rule) {
    }

    private Handle[] slots = new Handle[64];
    private int[] free = new int[64];
    private int freeCount;
    private int used;
    private int open;

    /** Keeps {@code content} for a new handle and returns the handle's id (never 0). */
    synchronized long open(byte[] content, RuleSpec rule) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
            }
            slot = used++;
        }
        slots[slot] = new Handle(content, rule);
        open++;
        return slot + 1L;
    }

    /** The handle {@code fh}, or {@code null} when no open file has that id. */
    synchronized Handle get(long fh) {
        long slot = fh - 1;
        if (slot < 0 || slot >= used) {
            return null;
        }
        return slots[(int) slot];
    }

    /** Forgets handle {@code fh}; false when it was not open. */
    synchronized boolean release(long fh) {
        long slot = fh - 1;
        if (slot < 0 || slot >= used || slots[(int) slot] == null) {
            return false;
        }
        slots[(int) slot] = null;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = (int) slot;
        open--;
        return true;
    }

    /** Number of handles currently open. */
    synchronized int openCount() {
        return open;
    }
}
