package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The timeout deadlines of the exchanges of one downstream connection, watched by one timer task that is
 * re-armed lazily. Scheduling and cancelling an event-loop task per request and per timeout (request
 * timeout, stream idle timeout, max stream duration) costs a task object and two priority-queue
 * operations each time; here a request only links its {@link Entry} into the connection's list and
 * unlinks it at its end. The task is armed for the earliest deadline and only moved earlier when an
 * entry needs it: on a keep-alive connection it fires about once per timeout period, finds the current
 * request's deadline still ahead and re-arms for it. An entry's deadline may be early (an idle timer
 * whose stream saw activity since): its owner re-checks the real limits and schedules the entry again.
 *
 * <p>Everything runs on the connection's event loop; no locks.
 */
final class ExchangeDeadlines implements Runnable {

    private static final AttributeKey<ExchangeDeadlines> KEY =
            AttributeKey.valueOf(ExchangeDeadlines.class, "deadlines");

    /** The owner of an {@link Entry}, told when the entry's deadline has passed. */
    interface Owner {
        /** The deadline passed (the entry is unlinked now): check the limits, time out or schedule again. */
        void deadlineReached(long nowNanos);
    }

    /** One exchange's place in the list; its deadline is the earliest of its timeouts. */
    static final class Entry {
        private final Owner owner;
        private long at;
        private Entry prev;
        private Entry next;
        private boolean linked;

        Entry(Owner owner) {
            this.owner = owner;
        }

        boolean isLinked() {
            return linked;
        }
    }

    private final EventLoop loop;
    private Entry head;
    private ScheduledFuture<?> task;
    private long taskAt;
    private boolean closed;

    private ExchangeDeadlines(EventLoop loop) {
        this.loop = loop;
    }

    /** The list of a downstream connection (HTTP/1.1, or HTTP/2 with all its streams). */
    static ExchangeDeadlines of(Channel connection) {
        Attribute<ExchangeDeadlines> a = connection.attr(KEY);
        ExchangeDeadlines d = a.get();
        if (d == null) {
            ExchangeDeadlines created = new ExchangeDeadlines(connection.eventLoop());
            a.set(created);
            connection.closeFuture().addListener(f -> created.close());
            d = created;
        }
        return d;
    }

    /** Links {@code e} (or moves it) with the deadline {@code atNanos} ({@link System#nanoTime()} based). */
    void schedule(Entry e, long atNanos) {
        e.at = atNanos;
        if (!e.linked) {
            e.linked = true;
            e.prev = null;
            e.next = head;
            if (head != null) {
                head.prev = e;
            }
            head = e;
        }
        if (!closed && (task == null || atNanos - taskAt < 0)) {
            arm(atNanos);
        }
    }

    /** Unlinks {@code e}; the timer stays armed (it finds nothing due and goes quiet). */
    void remove(Entry e) {
        if (!e.linked) {
            return;
        }
        e.linked = false;
        if (e.prev != null) {
            e.prev.next = e.next;
        } else {
            head = e.next;
        }
        if (e.next != null) {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
    }

    private void arm(long atNanos) {
        if (task != null) {
            task.cancel(false);
        }
        taskAt = atNanos;
        task = loop.schedule(this, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        task = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        List<Entry> due = null;
        for (Entry e = head; e != null; ) {
            Entry next = e.next;
            if (e.at - now <= 0) {
                remove(e);
                if (due == null) {
                    due = new ArrayList<>(2);
                }
                due.add(e);
            }
            e = next;
        }
        if (due != null) {
            // Owners may schedule entries (their own again, or a next exchange's) while being told.
            for (Entry e : due) {
                e.owner.deadlineReached(now);
            }
        }
        if (head != null && !closed) {
            // An owner told above may have armed the task for its own, later deadline: the earliest wins.
            long earliest = head.at;
            for (Entry e = head.next; e != null; e = e.next) {
                if (e.at - earliest < 0) {
                    earliest = e.at;
                }
            }
            if (task == null || earliest - taskAt < 0) {
                arm(earliest);
            }
        }
    }

    private void close() {
        closed = true;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** Entries linked now (for tests). */
    int size() {
        int n = 0;
        for (Entry e = head; e != null; e = e.next) {
            n++;
        }
        return n;
    }
}
