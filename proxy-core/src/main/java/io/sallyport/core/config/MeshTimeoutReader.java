package io.sallyport.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code MeshTimeout}. Every timeout is a Go duration ({@code 5s}, {@code 1m30s}); Sallyport
 * applies {@code to[]} entries, and checks {@code from[]} and {@code rules[]} the same way.
 */
final class MeshTimeoutReader implements KindReader {

    static final List<String> FIELDS = List.of("targetRef", "from", "to", "rules");

    @Override
    public Resource read(ResourceMeta meta, MapReader spec, MapReader root) {
        int before = spec.diagnostics().count();
        TargetRefReader.read(spec, "targetRef");
        List<MeshTimeout.To> to = new ArrayList<>();
        for (MapReader t : spec.maps("to")) {
            t.allow("targetRef", "default");
            MeshTrafficPermission.TargetRef ref = t.require("targetRef") ? TargetRefReader.read(t, "targetRef") : null;
            MeshTimeout.Timeouts timeouts = readTimeouts(t.mapOrEmpty("default"));
            if (ref != null && timeouts != null) {
                to.add(new MeshTimeout.To(ref, timeouts));
            }
        }
        for (MapReader f : spec.maps("from")) {
            f.allow("targetRef", "default");
            if (f.require("targetRef")) {
                TargetRefReader.read(f, "targetRef");
            }
            readTimeouts(f.mapOrEmpty("default"));
        }
        for (MapReader r : spec.maps("rules")) {
            r.allow("default");
            readTimeouts(r.mapOrEmpty("default"));
        }
        if (spec.diagnostics().count() > before) {
            return null;
        }
        return new MeshTimeout(meta, to);
    }

    private static MeshTimeout.Timeouts readTimeouts(MapReader d) {
        d.allow("connectionTimeout", "idleTimeout", "http");
        Duration connect = duration(d, "connectionTimeout");
        if (connect != null && connect.isZero()) {
            d.error("connectionTimeout", "must be greater than 0");
            connect = null;
        }
        Duration idle = duration(d, "idleTimeout");
        Duration request = null;
        Duration streamIdle = null;
        Duration maxStream = null;
        MapReader http = d.map("http");
        if (http != null) {
            http.allow("requestTimeout", "streamIdleTimeout", "maxStreamDuration", "maxConnectionDuration",
                    "requestHeadersTimeout");
            request = duration(http, "requestTimeout");
            streamIdle = duration(http, "streamIdleTimeout");
            maxStream = duration(http, "maxStreamDuration");
            duration(http, "maxConnectionDuration");
            duration(http, "requestHeadersTimeout");
        }
        return new MeshTimeout.Timeouts(connect, idle, request, streamIdle, maxStream);
    }

    private static Duration duration(MapReader m, String field) {
        String s = m.string(field);
        if (s == null) {
            return null;
        }
        try {
            return GoDuration.parse(s);
        } catch (IllegalArgumentException e) {
            m.error(field, "must be a duration like 5s, 1m30s or 100ms, got \"" + s + "\"");
            return null;
        }
    }
}
