package io.sallyport.core.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Splits a YAML file into its {@code ---} documents as SnakeYAML node trees, which keep the line of
 * every key, and maps each field path of a document to its line.
 */
final class YamlDocuments {

    /** A non-empty document: its root node and the (1-based) line it starts on. */
    record Document(Node root, int line) {
    }

    /** The documents read before the end of the file or the first syntax error ({@code error}). */
    record Parsed(List<Document> documents, ConfigError error) {
        Parsed {
            documents = List.copyOf(documents);
        }
    }

    private YamlDocuments() {
    }

    static Parsed parse(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(64 * 1024 * 1024);
        options.setMaxAliasesForCollections(100);
        options.setAllowRecursiveKeys(false);
        List<Document> docs = new ArrayList<>();
        try {
            // Nodes only (never Java objects): the composer alone, without the Yaml facade's constructor and
            // representer machinery, which cost more than the parsing of a small file before /ready.
            Composer composer = new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options),
                    new Resolver(), options);
            while (composer.checkNode()) {
                Node root = composer.getNode();
                if (root != null && !MapReader.isNull(root)) {
                    docs.add(new Document(root, MapReader.lineOf(root)));
                }
            }
            return new Parsed(docs, null);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 0 : mark.getLine() + 1;
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? e.getContext() + ": " : "";
            return new Parsed(docs, new ConfigError(file, line, "-", "-",
                    ("invalid YAML: " + context + problem.trim()).replaceAll("\\s*\n\\s*", " ")));
        } catch (YAMLException e) {
            return new Parsed(docs, new ConfigError(file, 0, "-", "-",
                    ("invalid YAML: " + e.getMessage()).replaceAll("\\s*\n\\s*", " ")));
        }
    }

    /** Every field path of a document ({@code spec.endpoints[0].port}) with its 1-based line. */
    static Map<String, Integer> fieldLines(Node root) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        walk(root, "", lines, Collections.newSetFromMap(new IdentityHashMap<>()));
        return lines;
    }

    private static void walk(Node node, String path, Map<String, Integer> lines, Set<Node> onPath) {
        if (!onPath.add(node)) {
            return; // a recursive alias: stop rather than loop
        }
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getTag() != org.yaml.snakeyaml.nodes.Tag.MERGE) {
                    String child = MapReader.join(path, k.getValue());
                    lines.putIfAbsent(child, MapReader.lineOf(k));
                    walk(t.getValueNode(), child, lines, onPath);
                }
            }
        } else if (node instanceof SequenceNode s) {
            int i = 0;
            for (Node item : s.getValue()) {
                String child = path + "[" + i++ + "]";
                lines.putIfAbsent(child, MapReader.lineOf(item));
                walk(item, child, lines, onPath);
            }
        }
        onPath.remove(node);
    }
}
