package io.sallyport.core.hostname;

import io.sallyport.core.config.HostnameGenerator;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.ResourceMeta;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders for the resources these tests need. */
final class Fixtures {

    private Fixtures() {
    }

    static MeshExternalService mes(String name, Map<String, String> labels) {
        return mes(name, "default", "", labels, null);
    }

    static MeshExternalService mes(String name, String mesh, String namespace, Map<String, String> labels,
            String statusVip) {
        Map<String, String> l = new HashMap<>(labels);
        l.putIfAbsent(ResourceMeta.LABEL_ORIGIN, "zone");
        Origin origin = new Origin("mes.yaml", 1, Map.of("name", 2, "labels", 4, "status.vip.ip", 20));
        return new MeshExternalService(
                new ResourceMeta("MeshExternalService", name, mesh, namespace, l, origin),
                new MeshExternalService.Match("HostnameGenerator", 4242, Protocol.TCP),
                List.of(new MeshExternalService.Endpoint("127.0.0.1", 4242, 0)), null, statusVip);
    }

    static HostnameGenerator generator(String name, String template, Map<String, String> matchLabels) {
        Origin origin = new Origin("hg.yaml", 10, Map.of("spec.template", 17));
        return new HostnameGenerator(new ResourceMeta("HostnameGenerator", name, null, "",
                Map.of(ResourceMeta.LABEL_ORIGIN, "zone"), origin), template, matchLabels);
    }
}
