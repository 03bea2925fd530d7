package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.function.IntUnaryOperator;

/**
 * The order in which trees are rebuilt from parent links: each process after its parent
 * where both are among those ordered, so that a process is started in the trees its parent
 * is in (startup, resync, a reload's new trees).
 */
final class ParentFirst {
    private ParentFirst() {
    }

    /**
     * Positions in {@code pids}, each after its parent's.
     *
     * @param parentOf the parent pid of a pid, or -1 when unknown
     */
    static int[] order(int[] pids, IntUnaryOperator parentOf) {
        Int2IntOpenHashMap at = new Int2IntOpenHashMap(pids.length * 2);
        at.defaultReturnValue(-1);
        for (int i = 0; i < pids.length; i++) {
            at.put(pids[i], i);
        }
        boolean[] placed = new boolean[pids.length];
        IntArrayList order = new IntArrayList(pids.length);
        IntArrayList chain = new IntArrayList();
        for (int i = 0; i < pids.length; i++) {
            chain.clear();
            // Up the parent links while the parent is among them and not placed; marking as
            // we go ends a loop (pid reuse can make one).
            for (int j = i; j >= 0 && !placed[j]; j = at.get(parentOf.applyAsInt(pids[j]))) {
                placed[j] = true;
                chain.add(j);
            }
            for (int k = chain.size() - 1; k >= 0; k--) {
                order.add(chain.getInt(k));
            }
        }
        return order.toIntArray();
    }
}
