package io.sallyport.core.cluster;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Orders a cluster's endpoints for one downstream connection: priority levels from the lowest, inside a
 * level round-robin from a cursor shared by all connections (so consecutive connections spread), and
 * at most {@code maxConnectAttempts} endpoints in all. Thread-safe; a {@link Plan} is not (it belongs
 * to one connection on one event loop).
 */
public final class EndpointSelector {

    private final List<PriorityLevel> levels;
    private final AtomicInteger[] cursors;
    private final int maxAttempts;

    public EndpointSelector(List<PriorityLevel> levels, int maxAttempts) {
        this.levels = List.copyOf(levels);
        this.cursors = new AtomicInteger[this.levels.size()];
        for (int i = 0; i < cursors.length; i++) {
            cursors[i] = new AtomicInteger();
        }
        this.maxAttempts = maxAttempts;
    }

    /** The priority levels, lowest first. */
    public List<PriorityLevel> levels() {
        return levels;
    }

    /** The most endpoints one plan hands out. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Advances the round-robin cursor of {@code level} as a plan entering it does, and returns the index
     * in that level of the endpoint to try first (callers that cache the orders of a level use it).
     */
    public int nextStart(int level) {
        return Math.floorMod(cursors[level].getAndIncrement(), levels.get(level).endpoints().size());
    }

    /** A fresh attempt plan; the round-robin cursor of a level advances only when the plan enters it. */
    public Plan plan() {
        return new Plan();
    }

    /** The endpoints to try, in order, for one connection. */
    public final class Plan {
        private int level = -1;
        private int start;
        private int indexInLevel;
        private int attempts;

        private Plan() {
        }

        /** The next endpoint to try, or {@code null} when the plan is exhausted. */
        public Endpoint next() {
            if (attempts >= maxAttempts) {
                return null;
            }
            if (level < 0 || indexInLevel >= levels.get(level).endpoints().size()) {
                level++;
                if (level >= levels.size()) {
                    return null;
                }
                indexInLevel = 0;
                start = nextStart(level);
            }
            List<Endpoint> eps = levels.get(level).endpoints();
            Endpoint e = eps.get((start + indexInLevel) % eps.size());
            indexInLevel++;
            attempts++;
            return e;
        }

        /** Attempts handed out so far. */
        public int attempts() {
            return attempts;
        }
    }
}
