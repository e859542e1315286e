package io.sallyport.tls;

import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Real OpenSSL: {@code openssl s_server -rev} (answers each line reversed) for exactly one connection, on
 * a free loopback port. With {@code -tlsextdebug} it hex-dumps the client's extensions, from which we
 * read the SNI the client sent; it prints the client certificate's subject when it asked for one.
 */
final class OpensslServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final List<String> output = new ArrayList<>();
    private final CompletableFuture<Void> exited = new CompletableFuture<>();

    /**
     * @param extraArgs e.g. {@code -tls1_2}, or {@code -Verify 1 -verifyCAfile ca.pem}
     */
    static OpensslServer start(Path dir, Issued leaf, List<String> extraArgs) throws Exception {
        return start(dir, leaf, extraArgs, true);
    }

    /**
     * @param rev {@code true} for {@code -rev}; {@code false} for the interactive mode, where lines written
     *            with {@link #command} go to the client and {@code r} asks for a renegotiation
     */
    static OpensslServer start(Path dir, Issued leaf, List<String> extraArgs, boolean rev) throws Exception {
        Path cert = leaf.writeCertificate(dir, "server.pem");
        Path key = TestCertificates.write(dir.resolve("server.key"), leaf.privateKeyTraditionalPem());
        Path chain = TestCertificates.write(dir.resolve("chain.pem"), leaf.chainPem().substring(leaf.certificatePem().length()));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                    "-cert", cert.toString(), "-key", key.toString(), "-naccept", "1",
                    "-tlsextdebug"));
            if (rev) {
                cmd.add("-rev");
            }
            if (leaf.chain().size() > 1) {
                cmd.addAll(List.of("-cert_chain", chain.toString()));
            }
            cmd.addAll(extraArgs);
            OpensslServer server = new OpensslServer(new ProcessBuilder(cmd).redirectErrorStream(true).start(), port);
            if (server.awaitAccepting()) {
                return server;
            }
            server.close();
            last = new IOException("openssl s_server did not start: " + server.output());
        }
        throw last;
    }

    private OpensslServer(Process process, int port) {
        this.process = process;
        this.port = port;
        Thread reader = new Thread(this::pump, "openssl-output-" + port);
        reader.setDaemon(true);
        reader.start();
    }

    private final CompletableFuture<Boolean> accepting = new CompletableFuture<>();

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                    output.notifyAll();
                }
                if (line.equals("ACCEPT")) {
                    accepting.complete(true);
                }
            }
        } catch (IOException e) {
            // process gone
        } finally {
            accepting.complete(false);
            exited.complete(null);
            synchronized (output) {
                output.notifyAll();
            }
        }
    }

    private boolean awaitAccepting() throws Exception {
        try {
            return accepting.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return false;
        }
    }

    /** Writes one line to the server's standard input (interactive mode). */
    void command(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
    }

    /** Waits (at most 10 s) for an output line starting with {@code prefix} and returns it. */
    String awaitLine(String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (output) {
            while (true) {
                for (String l : output) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || exited.isDone()) {
                    throw new AssertionError("openssl never printed \"" + prefix + "\": " + output);
                }
                output.wait(left);
            }
        }
    }

    int port() {
        return port;
    }

    /** Waits for the server to finish its one connection and returns everything it printed. */
    List<String> awaitOutput() throws Exception {
        exited.get(10, TimeUnit.SECONDS);
        return output();
    }

    /** The SNI the client sent, decoded from the {@code server name} extension dump, or null when none. */
    static String sniSeen(List<String> lines) {
        byte[] ext = extensionSeen(lines, "server name");
        if (ext == null) {
            return null;
        }
        // server_name_list length (2), name_type (1), host_name length (2), host_name
        int nameLength = ((ext[3] & 0xff) << 8) | (ext[4] & 0xff);
        return new String(ext, 5, nameLength, StandardCharsets.US_ASCII);
    }

    /**
     * The body of the client extension {@code name} (as {@code -tlsextdebug} names it, e.g.
     * {@code "supported_groups"}, {@code "key share"}) from its hex dump, or null when the client sent none.
     */
    static byte[] extensionSeen(List<String> lines, String name) {
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("TLS client extension \"" + name + "\"")) {
                continue;
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (int j = i + 1; j < lines.size() && lines.get(j).matches("^[0-9a-f]{4} - .*"); j++) {
                // "0000 - 00 13 00 00 10 61 70 69-2e 65 78 61 6d 70 6c 65   .....api.example"
                String hex = lines.get(j).substring(7, Math.min(lines.get(j).length(), 7 + 48)).replace('-', ' ');
                for (String b : hex.trim().split("\\s+")) {
                    if (!b.isEmpty()) {
                        bytes.write(Integer.parseInt(b, 16));
                    }
                }
            }
            return bytes.toByteArray();
        }
        return null;
    }

    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
