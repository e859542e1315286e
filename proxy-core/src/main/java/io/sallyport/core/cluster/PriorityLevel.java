package io.sallyport.core.cluster;

import java.util.List;

/** The endpoints of one priority level; lower {@code priority} is preferred. Never empty. */
public record PriorityLevel(int priority, List<Endpoint> endpoints) {
    public PriorityLevel {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("a priority level needs at least one endpoint");
        }
    }
}
