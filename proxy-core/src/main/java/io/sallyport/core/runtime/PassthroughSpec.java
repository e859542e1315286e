package io.sallyport.core.runtime;

import io.sallyport.core.config.MeshPassthrough;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The MeshPassthrough in force for a sidecar, merged from every MeshPassthrough document of its mesh:
 * the mode and the {@code appendMatch} entries the transparent listener compiles into its matchers.
 *
 * @param mode    what happens to transparent-proxied traffic that is not for a MeshExternalService
 * @param matches the merged {@code appendMatch} entries (used in {@code Matched} mode), duplicates removed
 */
public record PassthroughSpec(MeshPassthrough.Mode mode, List<MeshPassthrough.AppendMatch> matches) {

    /** No MeshPassthrough at all: Kuma's default mode, {@code None}. */
    public static final PassthroughSpec NONE = new PassthroughSpec(MeshPassthrough.Mode.None, List.of());

    public PassthroughSpec {
        Objects.requireNonNull(mode, "mode");
        matches = List.copyOf(matches);
    }

    /**
     * Merges the documents of one mesh as Kuma merges policies of equal rank: ordered by name, a later
     * document's mode overrides an earlier one's, and the {@code appendMatch} lists are appended.
     * (The config record does not keep whether {@code passthroughMode} was written, so a document that
     * leaves it out counts as {@code None}, Kuma's default.)
     */
    public static PassthroughSpec merge(List<MeshPassthrough> documents) {
        if (documents.isEmpty()) {
            return NONE;
        }
        List<MeshPassthrough> ordered = new ArrayList<>(documents);
        ordered.sort(Comparator.comparing(MeshPassthrough::name));
        MeshPassthrough.Mode mode = MeshPassthrough.Mode.None;
        LinkedHashSet<MeshPassthrough.AppendMatch> matches = new LinkedHashSet<>();
        for (MeshPassthrough doc : ordered) {
            mode = doc.passthroughMode();
            matches.addAll(doc.appendMatch());
        }
        return new PassthroughSpec(mode, List.copyOf(matches));
    }
}
