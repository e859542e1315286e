package io.sallyport.core.hostname;

import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.ResourceMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed {@code HostnameGenerator.spec.template}: the subset of Go's {@code text/template} that Kuma's
 * hostname generator uses. Supported actions:
 * <ul>
 *   <li>fields {@code {{ .DisplayName }}}, {@code {{ .Name }}}, {@code {{ .Namespace }}}, {@code {{ .Mesh }}},
 *       {@code {{ .Zone }}} (with or without spaces: {@code {{.Name}}});</li>
 *   <li>{@code {{ label "key" }}} (also with a raw {@code `key`} string or a field as the argument): the
 *       value of a label of the service; a missing label fails the rendering, as in Kuma;</li>
 *   <li>string literals {@code {{ "text" }}}, comments <code>{{/* ... *&#47;}}</code>, and Go's
 *       whitespace trimming markers <code>{{- </code> and <code> -}}</code>.</li>
 * </ul>
 * Anything else (pipelines, variables, {@code if}/{@code range}, other functions, unknown fields) is
 * rejected by {@link #parse} with a {@link TemplateException}. Go accepts unknown fields when parsing and
 * fails only when executing; we fail early, which is what a configuration check wants.
 *
 * <p>The values mean what they mean in Kuma: {@code .Name} is the resource name, {@code .DisplayName}
 * the {@code kuma.io/display-name} label (else the name), {@code .Namespace} the Kubernetes namespace
 * (else the {@code k8s.kuma.io/namespace} label), {@code .Mesh} the mesh, {@code .Zone} the
 * {@code kuma.io/zone} label (empty when absent).
 *
 * <p>{@link #render} lower-cases the result (DNS names are case-insensitive, RFC 4343, and the DNS
 * responder matches without regard to case) and then checks it is a valid host name, so {@code MyApp}
 * becomes {@code myapp}; characters that no host name may contain (such as {@code _}) are an error.
 * Instances are immutable and thread-safe.
 */
public final class HostnameTemplate {

    /** The fields a template may name. */
    public enum Field {
        DisplayName, Name, Namespace, Mesh, Zone;

        static Field of(String name) {
            for (Field f : values()) {
                if (f.name().equals(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Kubernetes namespace label Kuma puts on resources synced from Kubernetes. */
    public static final String LABEL_K8S_NAMESPACE = "k8s.kuma.io/namespace";

    private static final String KNOWN_FIELDS = ".DisplayName, .Name, .Namespace, .Mesh, .Zone";
    private static final Set<String> GO_BUILTINS = Set.of(
            "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println",
            "urlquery", "eq", "ge", "gt", "le", "lt", "ne");
    private static final Set<String> GO_KEYWORDS = Set.of(
            "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil");

    /** One piece of the template: literal text, a field, or a label lookup. */
    private sealed interface Part permits Text, FieldRef, LabelRef { }

    private record Text(String text) implements Part { }

    private record FieldRef(Field field) implements Part { }

    /** {@code label KEY}: a literal key, or the value of a field used as the key. */
    private record LabelRef(String key, Field keyField) implements Part { }

    /** The outcome of {@link #render}: a valid hostname, or why there is none. */
    public record Rendered(String hostname, String error) {
        public boolean ok() {
            return error == null;
        }

        static Rendered of(String hostname) {
            return new Rendered(hostname, null);
        }

        static Rendered failed(String error) {
            return new Rendered(null, error);
        }
    }

    private final String source;
    private final List<Part> parts;

    private HostnameTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /** Parses {@code template}; throws a {@link TemplateException} naming the problem and its column. */
    public static HostnameTemplate parse(String template) throws TemplateException {
        Objects.requireNonNull(template, "template");
        return new Parser(template).parse();
    }

    /** The template text as written. */
    public String source() {
        return source;
    }

    /** The hostname for {@code service}, or why it cannot have one. */
    public Rendered render(MeshExternalService service) {
        return render(service.meta());
    }

    /**
     * The hostname for the resource {@code meta}: the template evaluated, lower-cased, a single trailing
     * dot removed, and checked with {@link DnsNames}. Never throws for bad data.
     */
    public Rendered render(ResourceMeta meta) {
        StringBuilder out = new StringBuilder(64);
        for (Part p : parts) {
            if (p instanceof Text t) {
                out.append(t.text());
            } else if (p instanceof FieldRef f) {
                out.append(value(f.field(), meta));
            } else {
                LabelRef l = (LabelRef) p;
                String key = l.key() != null ? l.key() : value(l.keyField(), meta);
                String v = meta.labels().get(key);
                if (v == null) {
                    return Rendered.failed("label \"" + key + "\" not found");
                }
                out.append(v);
            }
        }
        String raw = out.toString();
        String name = raw.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String problem = DnsNames.problem(name);
        if (problem != null) {
            return Rendered.failed("\"" + raw + "\" is not a valid DNS name: " + problem);
        }
        return Rendered.of(name);
    }

    static String value(Field field, ResourceMeta meta) {
        Map<String, String> labels = meta.labels();
        return switch (field) {
            case DisplayName -> meta.displayName();
            case Name -> meta.name();
            case Namespace -> !meta.namespace().isEmpty()
                    ? meta.namespace() : labels.getOrDefault(LABEL_K8S_NAMESPACE, "");
            case Mesh -> meta.mesh();
            case Zone -> labels.getOrDefault(ResourceMeta.LABEL_ZONE, "");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostnameTemplate t && t.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }

    /** A single-use recursive-descent reader of one template string. */
    private static final class Parser {
        private final String src;
        private final boolean multiLine;
        private final List<Part> parts = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private int pos;

        Parser(String src) {
            this.src = src;
            this.multiLine = src.indexOf('\n') >= 0;
        }

        HostnameTemplate parse() throws TemplateException {
            boolean trimNextText = false;
            while (pos < src.length()) {
                int open = src.indexOf("{{", pos);
                int textEnd = open < 0 ? src.length() : open;
                String chunk = src.substring(pos, textEnd);
                if (trimNextText) {
                    chunk = stripLeading(chunk);
                }
                text.append(chunk);
                if (open < 0) {
                    break;
                }
                int actionStart = open;
                pos = open + 2;
                if (pos + 1 < src.length() && src.charAt(pos) == '-' && isSpace(src.charAt(pos + 1))) {
                    trimTrailingText();
                    pos += 2;
                }
                trimNextText = action(actionStart);
            }
            flushText();
            return new HostnameTemplate(src, parts);
        }

        /** Reads one action after its opening delimiter; returns whether it ends with a right trim marker. */
        private boolean action(int actionStart) throws TemplateException {
            if (src.startsWith("/*", pos)) {
                int end = src.indexOf("*/", pos + 2);
                if (end < 0) {
                    throw error("unclosed comment", actionStart);
                }
                pos = end + 2;
                boolean trim = false;
                if (src.startsWith(" -}}", pos)) {
                    trim = true;
                    pos += 4;
                } else if (src.startsWith("}}", pos)) {
                    pos += 2;
                } else {
                    throw error("comment ends before closing delimiter", pos);
                }
                return trim;
            }
            List<Token> tokens = new ArrayList<>();
            while (true) {
                skipSpaces();
                if (pos >= src.length()) {
                    throw error("unclosed action", actionStart);
                }
                if (src.startsWith("}}", pos)) {
                    pos += 2;
                    command(tokens, actionStart);
                    return false;
                }
                if (src.charAt(pos) == '-' && src.startsWith("}}", pos + 1) && pos > 0
                        && isSpace(src.charAt(pos - 1))) {
                    pos += 3;
                    command(tokens, actionStart);
                    return true;
                }
                tokens.add(token());
            }
        }

        private void command(List<Token> tokens, int actionStart) throws TemplateException {
            if (tokens.isEmpty()) {
                throw error("missing value for command (empty action)", actionStart);
            }
            Token head = tokens.get(0);
            switch (head.kind) {
                case FIELD -> {
                    noArguments(tokens, head.text);
                    Field f = field(head);
                    flushText();
                    parts.add(new FieldRef(f));
                }
                case STRING -> {
                    noArguments(tokens, "a string");
                    text.append(head.text);
                }
                case IDENT -> {
                    if (!head.text.equals("label")) {
                        throw unknownFunction(head);
                    }
                    if (tokens.size() != 2) {
                        throw error("label takes exactly one argument, got " + (tokens.size() - 1), head.start);
                    }
                    Token arg = tokens.get(1);
                    if (arg.kind == Kind.STRING) {
                        flushText();
                        parts.add(new LabelRef(arg.text, null));
                    } else if (arg.kind == Kind.FIELD) {
                        Field f = field(arg);
                        flushText();
                        parts.add(new LabelRef(null, f));
                    } else {
                        throw error("label takes a string or a field, not \"" + arg.text + "\"", arg.start);
                    }
                }
                default -> throw error("unsupported syntax \"" + head.text + "\"", head.start);
            }
        }

        private void noArguments(List<Token> tokens, String what) throws TemplateException {
            if (tokens.size() > 1) {
                Token extra = tokens.get(1);
                if (extra.kind == Kind.PIPE) {
                    throw error("pipelines are not supported", extra.start);
                }
                throw error("unexpected \"" + extra.text + "\" after " + what, extra.start);
            }
        }

        private Field field(Token t) throws TemplateException {
            Field f = Field.of(t.text.substring(1));
            if (f == null) {
                throw error("unknown field \"" + t.text + "\" (known: " + KNOWN_FIELDS + ")", t.start);
            }
            return f;
        }

        private TemplateException unknownFunction(Token t) {
            if (GO_KEYWORDS.contains(t.text)) {
                return error("\"" + t.text + "\" is not supported in hostname templates", t.start);
            }
            if (GO_BUILTINS.contains(t.text)) {
                return error("function \"" + t.text + "\" is not supported (only \"label\" is)", t.start);
            }
            return error("function \"" + t.text + "\" not defined", t.start);
        }

        private Token token() throws TemplateException {
            int start = pos;
            char c = src.charAt(pos);
            if (c == '"') {
                return quoted(start);
            }
            if (c == '`') {
                int end = src.indexOf('`', pos + 1);
                if (end < 0) {
                    throw error("unterminated raw string", start);
                }
                pos = end + 1;
                return new Token(Kind.STRING, src.substring(start + 1, end), start);
            }
            if (c == '|') {
                pos++;
                return new Token(Kind.PIPE, "|", start);
            }
            if (c == '.') {
                pos++;
                while (pos < src.length() && isIdentPart(src.charAt(pos))) {
                    pos++;
                }
                if (pos == start + 1) {
                    throw error("\"{{ . }}\" (the whole data) is not supported; name a field ("
                            + KNOWN_FIELDS + ")", start);
                }
                if (pos < src.length() && src.charAt(pos) == '.') {
                    throw error("nested field \"" + src.substring(start, endOfWord()) + "\" is not supported",
                            start);
                }
                return new Token(Kind.FIELD, src.substring(start, pos), start);
            }
            if (Character.isLetter(c) || c == '_') {
                while (pos < src.length() && isIdentPart(src.charAt(pos))) {
                    pos++;
                }
                return new Token(Kind.IDENT, src.substring(start, pos), start);
            }
            pos = endOfWord();
            throw error("unsupported syntax \"" + src.substring(start, Math.max(pos, start + 1)) + "\"", start);
        }

        private Token quoted(int start) throws TemplateException {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= src.length() || src.charAt(pos) == '\n') {
                    throw error("unterminated quoted string", start);
                }
                char c = src.charAt(pos++);
                if (c == '"') {
                    return new Token(Kind.STRING, sb.toString(), start);
                }
                if (c == '\\') {
                    if (pos >= src.length()) {
                        throw error("unterminated quoted string", start);
                    }
                    char e = src.charAt(pos++);
                    switch (e) {
                        case '"', '\\' -> sb.append(e);
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        default -> throw error("unsupported escape \"\\" + e + "\" in string", pos - 2);
                    }
                } else {
                    sb.append(c);
                }
            }
        }

        private int endOfWord() {
            int p = pos;
            while (p < src.length() && !isSpace(src.charAt(p)) && !src.startsWith("}}", p)) {
                p++;
            }
            return p;
        }

        private void skipSpaces() {
            while (pos < src.length() && isSpace(src.charAt(pos))) {
                pos++;
            }
        }

        private void trimTrailingText() {
            int n = text.length();
            while (n > 0 && isSpace(text.charAt(n - 1))) {
                n--;
            }
            text.setLength(n);
        }

        private void flushText() {
            if (text.length() > 0) {
                parts.add(new Text(text.toString()));
                text.setLength(0);
            }
        }

        private static String stripLeading(String s) {
            int i = 0;
            while (i < s.length() && isSpace(s.charAt(i))) {
                i++;
            }
            return s.substring(i);
        }

        private static boolean isSpace(char c) {
            return c == ' ' || c == '\t' || c == '\r' || c == '\n';
        }

        private static boolean isIdentPart(char c) {
            return Character.isLetterOrDigit(c) || c == '_';
        }

        private TemplateException error(String problem, int offset) {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset && i < src.length(); i++) {
                if (src.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            return new TemplateException(problem, line, offset - lineStart + 1, multiLine);
        }
    }

    private enum Kind { FIELD, IDENT, STRING, PIPE }

    private record Token(Kind kind, String text, int start) { }
}
