package io.sallyport.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointSelectorTest {

    private static Endpoint ep(int port) {
        return new Endpoint.DnsName("h" + port, port);
    }

    private static List<Endpoint> drain(EndpointSelector.Plan plan) {
        List<Endpoint> out = new ArrayList<>();
        for (Endpoint e = plan.next(); e != null; e = plan.next()) {
            out.add(e);
        }
        return out;
    }

    @Test
    void lowerPriorityLevelsComeFirstThenTheNextLevel() {
        EndpointSelector s = new EndpointSelector(new ClusterSpec("c", "default", List.of(
                new PriorityLevel(1, List.of(ep(11))),
                new PriorityLevel(0, List.of(ep(1), ep(2)))), java.time.Duration.ofSeconds(5),
                java.time.Duration.ZERO, 10, null).levels(), 10);

        assertThat(drain(s.plan())).containsExactly(ep(1), ep(2), ep(11));
    }

    @Test
    void consecutivePlansRotateInsideALevel() {
        EndpointSelector s = new EndpointSelector(List.of(new PriorityLevel(0, List.of(ep(1), ep(2), ep(3)))), 10);

        assertThat(drain(s.plan())).containsExactly(ep(1), ep(2), ep(3));
        assertThat(drain(s.plan())).containsExactly(ep(2), ep(3), ep(1));
        assertThat(drain(s.plan())).containsExactly(ep(3), ep(1), ep(2));
        assertThat(drain(s.plan())).containsExactly(ep(1), ep(2), ep(3));
    }

    @Test
    void aLevelsCursorMovesOnlyWhenAPlanReachesIt() {
        EndpointSelector s = new EndpointSelector(List.of(
                new PriorityLevel(0, List.of(ep(1))), new PriorityLevel(1, List.of(ep(11), ep(12)))), 10);

        EndpointSelector.Plan first = s.plan();
        assertThat(first.next()).isEqualTo(ep(1)); // connected: level 1 never entered
        assertThat(drain(s.plan())).containsExactly(ep(1), ep(11), ep(12));
        assertThat(drain(s.plan())).containsExactly(ep(1), ep(12), ep(11));
    }

    @Test
    void attemptsAreBounded() {
        EndpointSelector s = new EndpointSelector(List.of(
                new PriorityLevel(0, List.of(ep(1), ep(2), ep(3))), new PriorityLevel(1, List.of(ep(4)))), 2);

        EndpointSelector.Plan plan = s.plan();
        assertThat(drain(plan)).hasSize(2);
        assertThat(plan.attempts()).isEqualTo(2);
    }
}
