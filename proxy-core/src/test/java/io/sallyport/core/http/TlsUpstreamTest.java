package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** TLS origination with ALPN h2 to a grpc-java TLS server (the grpcs example), and a failed verification. */
class TlsUpstreamTest {

    record Identity(X509Certificate cert, String certPem, String keyPem) {
    }

    static Identity selfSigned(String dns) throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(256);
        KeyPair kp = kpg.generateKeyPair();
        X500Name name = new X500Name("CN=" + dns);
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now),
                new Date(now - 60_000), new Date(now + 3_600_000), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, dns), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        return new Identity(cert, pem(cert), pem(new JcaPKCS8Generator(kp.getPrivate(), null)));
    }

    private static String pem(Object o) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    /** Client TLS as the TLS origination module makes it: trust, SNI, hostname check, ALPN. */
    static UpstreamTlsHandlerFactory tls(X509Certificate trusted) {
        return (alloc, host, port, alpn) -> {
            try {
                SslContext ctx = SslContextBuilder.forClient().trustManager(trusted)
                        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                        .build();
                SslHandler h = ctx.newHandler(alloc, host, port);
                SSLEngine engine = h.engine();
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
                return h;
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void grpcOverTlsWithAlpnH2() throws Exception {
        Identity id = selfSigned("localhost");
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
                .addMethod(GrpcProxyTest.UNARY, ServerCalls.asyncUnaryCall((req, obs) -> {
                    obs.onNext(req);
                    obs.onCompleted();
                })).build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                        TlsServerCredentials.create(new ByteArrayInputStream(id.certPem().getBytes(StandardCharsets.US_ASCII)),
                                new ByteArrayInputStream(id.keyPem().getBytes(StandardCharsets.US_ASCII))))
                .addService(service).build().start();
        Identity other = selfSigned("localhost");
        UpstreamEndpoint good = new UpstreamEndpoint(new InetSocketAddress("127.0.0.1", server.getPort()),
                "localhost", server.getPort(), tls(id.cert()));
        UpstreamEndpoint untrusted = new UpstreamEndpoint(new InetSocketAddress("127.0.0.1", server.getPort()),
                "localhost", server.getPort(), tls(other.cert()));
        try (ProxyHarness proxy = new ProxyHarness("mes-grpcs", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                List.of(good));
             ProxyHarness bad = new ProxyHarness("mes-grpcs-bad", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                     List.of(untrusted))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", proxy.port()).usePlaintext().build();
            ManagedChannel chBad = NettyChannelBuilder.forAddress("127.0.0.1", bad.port()).usePlaintext().build();
            try {
                byte[] back = ClientCalls.blockingUnaryCall(ch, GrpcProxyTest.UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo("hi");
                assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(chBad, GrpcProxyTest.UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[] {1}))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
                assertThat(bad.awaitEntry(e -> true).responseFlags()).isEqualTo("UF");
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                chBad.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
