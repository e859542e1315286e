package io.sallyport.core.config;

/** A configuration document of one of the kinds Sallyport understands. */
public sealed interface Resource
        permits MeshExternalService, HostnameGenerator, MeshPassthrough, Mesh, Dataplane, ZoneEgress,
        MeshTrafficPermission, MeshTimeout, Secret {

    ResourceMeta meta();

    default String name() {
        return meta().name();
    }
}
