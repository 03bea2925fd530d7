package uprocfs.core.engine;

/**
 * Finds the names of users and groups for templated rules ({@code {user}}, {@code {group}}),
 * off the event loop: a lookup may ask a directory service and wait seconds, and the loop
 * must never wait. The engine asks once per id and keeps the answer (see {@link AccountNames}).
 */
@FunctionalInterface
public interface AccountLookup {
    /** Where an answer goes; any thread may call it. */
    @FunctionalInterface
    interface Answer {
        /** @param name the account's name, or {@code null} when it has none */
        void named(boolean group, int id, String name);
    }

    /** Starts a lookup of user (or, with {@code group}, group) {@code id}; returns at once. */
    void request(boolean group, int id, Answer answer);

    /** No names: every id is shown as its number. Answers at once. */
    AccountLookup NUMBERS = (group, id, answer) -> answer.named(group, id, null);
}
