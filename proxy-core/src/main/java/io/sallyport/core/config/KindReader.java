package io.sallyport.core.config;

/**
 * Reads the body of one resource kind. {@code fields} is the mapping holding the kind's own fields
 * ({@code spec}, or the document root for Universal Mesh, Dataplane, ZoneEgress and Secret) and has
 * already been checked for unknown names; {@code root} is the whole document (for {@code status}).
 */
@FunctionalInterface
interface KindReader {

    /** The resource, or {@code null} when the body had errors (they are in the reader's diagnostics). */
    Resource read(ResourceMeta meta, MapReader fields, MapReader root);
}
