package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar holds every class the proxy's code can reach: the build leaves parts of dependencies out
 * (app/pom.xml), and a class missing from the jar would fail only there, not in the module tests.
 */
class ShadedJarIT {

    /**
     * Optional dependencies: code in the jar refers to them, and uses them only when they are on the class path
     * (or never at run time, for annotations).
     */
    private static final List<String> OPTIONAL = List.of(
            "javax.annotation.", "org.jetbrains.annotations.", // annotations
            "org.apache.logging.log4j.", "org.apache.log4j.", // logging back-ends Netty and Micrometer look for
            "org.conscrypt.", // Netty's Conscrypt TLS support
            "org.LatencyUtils.", // Micrometer's pause detector
            "io.prometheus.metrics.tracer."); // Prometheus' bridge to tracers

    /** {@code   a.b.C   -> d.e.F   where}, where is the jar's file name, a JDK module or "not found". */
    private static final Pattern EDGE = Pattern.compile("^\\s+(?:\\d+/)?(\\S+)\\s+->\\s+(\\S+)\\s+(.+?)\\s*$");

    @Test
    void everyClassTheProxyCanReachIsInTheJarOrAnOptionalDependency() {
        String jarName = SallyportProcess.jar().getFileName().toString();
        Map<String, Set<String>> inJar = new HashMap<>();
        Map<String, Set<String>> notFound = new HashMap<>();
        for (String line : jdeps("--multi-release", "17", "-verbose:class", "-filter:none",
                SallyportProcess.jar().toString())) {
            Matcher m = EDGE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String where = m.group(3);
            if (where.equals(jarName)) {
                inJar.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
            } else if (where.equals("not found")) {
                notFound.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
            }
        }

        // Everything reachable from the proxy's own classes, with the class it was reached from.
        Map<String, String> reachedFrom = new HashMap<>();
        ArrayDeque<String> queue = new ArrayDeque<>();
        for (String c : inJar.keySet()) {
            if (c.startsWith("io.sallyport.")) {
                reachedFrom.put(c, null);
                queue.add(c);
            }
        }
        while (!queue.isEmpty()) {
            String c = queue.poll();
            for (String d : inJar.getOrDefault(c, Set.of())) {
                if (!reachedFrom.containsKey(d)) {
                    reachedFrom.put(d, c);
                    queue.add(d);
                }
            }
        }

        Set<String> missing = new TreeSet<>();
        for (String c : reachedFrom.keySet()) {
            for (String d : notFound.getOrDefault(c, Set.of())) {
                if (OPTIONAL.stream().noneMatch(d::startsWith)) {
                    missing.add(d + " <- " + path(c, reachedFrom));
                }
            }
        }
        // The analysis sees the entry point and the library code the build trims.
        assertThat(reachedFrom).containsKeys("io.sallyport.Main", "org.bouncycastle.openssl.PEMParser",
                "org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder");
        assertThat(missing).as("classes the proxy can reach that are not in %s", jarName).isEmpty();
    }

    private static String path(String c, Map<String, String> reachedFrom) {
        List<String> path = new ArrayList<>();
        for (String at = c; at != null && path.size() < 12; at = reachedFrom.get(at)) {
            path.add(at);
        }
        return String.join(" <- ", path);
    }

    private static List<String> jdeps(String... args) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new IllegalStateException("this JDK has no jdeps (module jdk.jdeps)"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = jdeps.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as("jdeps exit code; its errors: %s", err).isZero();
        return out.toString().lines().toList();
    }
}
