package io.sallyport.core.hostname;

import static io.sallyport.core.hostname.Fixtures.mes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.core.config.MeshExternalService;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostnameTemplateTest {

    private static String render(String template, MeshExternalService mes) throws TemplateException {
        HostnameTemplate.Rendered r = HostnameTemplate.parse(template).render(mes);
        assertThat(r.error()).isNull();
        return r.hostname();
    }

    @Test
    void kumaDocumentedExampleWorksVerbatim() throws Exception {
        assertThat(render("{{ .DisplayName }}.svc.meshext.local", mes("mes-tcp", Map.of())))
                .isEqualTo("mes-tcp.svc.meshext.local");
    }

    @Test
    void displayNameComesFromTheLabelWhenPresent() throws Exception {
        MeshExternalService m = mes("mes-tcp-x7bd9.kuma-system", Map.of("kuma.io/display-name", "mes-tcp"));
        assertThat(render("{{ .DisplayName }}.svc.meshext.local", m)).isEqualTo("mes-tcp.svc.meshext.local");
        assertThat(render("{{.Name}}", mes("a", Map.of()))).isEqualTo("a");
    }

    @Test
    void namespaceMeshAndZone() throws Exception {
        MeshExternalService m = mes("api", "payments", "team-a", Map.of("kuma.io/zone", "east"), null);
        assertThat(render("{{ .Name }}.{{ .Namespace }}.{{ .Mesh }}.{{ .Zone }}.mesh.local", m))
                .isEqualTo("api.team-a.payments.east.mesh.local");
        MeshExternalService universal = mes("api", "default", "",
                Map.of("k8s.kuma.io/namespace", "from-label"), null);
        assertThat(render("{{ .Name }}.{{ .Namespace }}", universal)).isEqualTo("api.from-label");
    }

    @Test
    void labelFunction() throws Exception {
        MeshExternalService m = mes("api", Map.of("team", "billing"));
        assertThat(render("{{ .Name }}.{{ label \"team\" }}.ext", m)).isEqualTo("api.billing.ext");
        assertThat(render("{{ label `team` }}.ext", m)).isEqualTo("billing.ext");
        assertThat(render("{{ label \"kuma.io/origin\" }}.ext", m)).isEqualTo("zone.ext");
    }

    @Test
    void missingLabelIsARenderError() throws Exception {
        HostnameTemplate.Rendered r = HostnameTemplate.parse("{{ label \"team\" }}.ext").render(mes("api", Map.of()));
        assertThat(r.ok()).isFalse();
        assertThat(r.hostname()).isNull();
        assertThat(r.error()).isEqualTo("label \"team\" not found");
    }

    @Test
    void whitespaceTrimmingAndCommentsAndStringLiterals() throws Exception {
        MeshExternalService m = mes("api", Map.of());
        assertThat(render("  {{- .Name -}}  .ext", m)).isEqualTo("api.ext");
        assertThat(render("{{/* a comment */}}{{ .Name }}{{ \".svc\" }}", m)).isEqualTo("api.svc");
        assertThat(render("{{- /* trimmed */ -}}  {{ .Name }}", m)).isEqualTo("api");
    }

    @Test
    void upperCaseIsLowerCasedAndTrailingDotDropped() throws Exception {
        assertThat(render("{{ .Name }}.SVC.Local.", mes("MyApi", Map.of()))).isEqualTo("myapi.svc.local");
    }

    @Test
    void invalidDnsNamesAreRenderErrors() throws Exception {
        HostnameTemplate t = HostnameTemplate.parse("{{ .Name }}.svc");
        assertThat(t.render(mes("my_api", Map.of())).error())
                .isEqualTo("\"my_api.svc\" is not a valid DNS name: label \"my_api\" contains '_' "
                        + "(only a-z, 0-9 and '-' are allowed)");
        assertThat(t.render(mes("a".repeat(64), Map.of())).error())
                .isEqualTo("\"" + "a".repeat(64) + ".svc\" is not a valid DNS name: label \"" + "a".repeat(64)
                        + "\" is longer than 63 characters");
        assertThat(t.render(mes("-api", Map.of())).error()).endsWith("label \"-api\" starts or ends with '-'");
        assertThat(HostnameTemplate.parse("{{ .Zone }}.svc").render(mes("a", Map.of())).error())
                .isEqualTo("\".svc\" is not a valid DNS name: it has an empty label (two dots in a row, or a "
                        + "leading dot)");
        String longName = ("a".repeat(60) + ".").repeat(4) + "abcdefghijklmnop";
        assertThat(HostnameTemplate.parse(longName).render(mes("a", Map.of())).error())
                .endsWith("not a valid DNS name: longer than 253 characters (260)");
    }

    @Test
    void parseErrorsNameTheProblemAndColumn() {
        assertParseError("{{ .Foo }}.svc", "unknown field \".Foo\" (known: .DisplayName, .Name, .Namespace, "
                + ".Mesh, .Zone) at column 4", 4);
        assertParseError("x.{{ .Name ", "unclosed action at column 3", 3);
        assertParseError("{{ lower .Name }}", "function \"lower\" not defined at column 4", 4);
        assertParseError("{{ printf \"%s\" .Name }}",
                "function \"printf\" is not supported (only \"label\" is) at column 4", 4);
        assertParseError("{{ if .Name }}a{{ end }}",
                "\"if\" is not supported in hostname templates at column 4", 4);
        assertParseError("{{ }}", "missing value for command (empty action) at column 1", 1);
        assertParseError("{{ label }}", "label takes exactly one argument, got 0 at column 4", 4);
        assertParseError("{{ label \"a\" \"b\" }}", "label takes exactly one argument, got 2 at column 4", 4);
        assertParseError("{{ label \"team }}", "unterminated quoted string at column 10", 10);
        assertParseError("{{ .Name | lower }}", "pipelines are not supported at column 10", 10);
        assertParseError("{{ . }}", "\"{{ . }}\" (the whole data) is not supported; name a field (.DisplayName, "
                + ".Name, .Namespace, .Mesh, .Zone) at column 4", 4);
        assertParseError("{{ $x }}", "unsupported syntax \"$x\" at column 4", 4);
        assertParseError("{{/* open", "unclosed comment at column 1", 1);
    }

    @Test
    void multiLineTemplatesReportLineAndColumn() {
        assertThatThrownBy(() -> HostnameTemplate.parse("a\n  {{ .Nope }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageEndingWith("at line 2, column 6")
                .satisfies(e -> assertThat(((TemplateException) e).line()).isEqualTo(2));
    }

    @Test
    void literalTextAndClosingBracesOutsideActionsAreText() throws Exception {
        assertThat(render("static.example", mes("a", Map.of()))).isEqualTo("static.example");
        assertThat(HostnameTemplate.parse("a}}b").render(mes("a", Map.of())).ok()).isFalse();
    }

    private static void assertParseError(String template, String message, int column) {
        assertThatThrownBy(() -> HostnameTemplate.parse(template))
                .isInstanceOf(TemplateException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((TemplateException) e).column()).isEqualTo(column));
    }
}
