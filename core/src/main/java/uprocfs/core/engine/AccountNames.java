package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;

/**
 * The names of users and groups the templated rules have needed, kept by the event loop
 * across reloads. A name is asked for once; an id without a name is shown as its number, and
 * asked about again when a new file needs it after {@link #RETRY_MILLIS} (an account created
 * since, e.g. in a directory service, then gets its name without a reload). Loop only.
 */
final class AccountNames {
    /** How long "this id has no name" is believed. */
    static final long RETRY_MILLIS = 30_000;

    /** What is known of one kind of account: users, or groups. */
    private static final class Known {
        final Int2ObjectOpenHashMap<String> names = new Int2ObjectOpenHashMap<>();
        /** Ids shown as their number, and since when: asked again after {@link #RETRY_MILLIS}. */
        final Int2LongOpenHashMap numericSince = new Int2LongOpenHashMap();
        final IntOpenHashSet asked = new IntOpenHashSet();
    }

    private final AccountLookup lookup;
    private final AccountLookup.Answer answer;
    private final Known users = new Known();
    private final Known groups = new Known();

    AccountNames(AccountLookup lookup, AccountLookup.Answer answer) {
        this.lookup = lookup;
        this.answer = answer;
    }

    /** The name to show for {@code id}, or {@code null} while it is being looked up (asked now if need be). */
    String name(boolean group, int id, long nowMillis) {
        Known k = group ? groups : users;
        String known = k.names.get(id);
        if (known != null && (!k.numericSince.containsKey(id) || nowMillis - k.numericSince.get(id) < RETRY_MILLIS)) {
            return known;
        }
        if (k.asked.add(id)) {
            lookup.request(group, id, answer);
        }
        return null;
    }

    /** An answer has come: {@code name} null means the id has none. */
    void answered(boolean group, int id, String name, long nowMillis) {
        Known k = group ? groups : users;
        k.asked.remove(id);
        if (name == null || name.isEmpty()) {
            k.names.put(id, Integer.toUnsignedString(id));
            k.numericSince.put(id, nowMillis);
        } else {
            k.names.put(id, name);
            k.numericSince.remove(id);
        }
    }
}
