package io.sallyport.testing;

import io.sallyport.testing.TestCertificates.Issued;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Real OpenSSL as a test server: {@code openssl s_server -rev} (answers each line reversed) on a
 * loopback port, by default for exactly one connection. With {@code -tlsextdebug} it hex-dumps the
 * client's extensions, from which {@link #sniSeen} reads the SNI; it prints the client certificate's
 * subject when it asked for one ({@link #peerSubject}).
 */
public final class OpensslServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final List<String> output = new ArrayList<>();
    private final CompletableFuture<Boolean> accepting = new CompletableFuture<>();
    private final CompletableFuture<Void> exited = new CompletableFuture<>();

    /** One connection on a free 127.0.0.1 port, presenting {@code leaf}'s chain, in {@code -rev} mode. */
    public static OpensslServer start(Path dir, Issued leaf, List<String> extraArgs) throws Exception {
        return start(dir, leaf, extraArgs, true);
    }

    /**
     * As {@link #start(Path, Issued, List)}; {@code rev} {@code false} starts the interactive mode instead,
     * where lines written with {@link #command} go to the client and {@code r} asks for a renegotiation.
     */
    public static OpensslServer start(Path dir, Issued leaf, List<String> extraArgs, boolean rev) throws Exception {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            OpensslServer s = startOn(dir, leaf, FreeAddresses.freeTcpPort(), extraArgs, 1, rev);
            if (s != null) {
                return s;
            }
            last = new IOException("openssl s_server did not start");
        }
        throw last;
    }

    /**
     * On {@code 127.0.0.1:port}, for {@code accepts} connections (0: until closed); {@code null} when it
     * did not start listening within 10 s (e.g. the port is taken).
     */
    public static OpensslServer startOn(Path dir, Issued leaf, int port, List<String> extraArgs, int accepts)
            throws Exception {
        return startOn(dir, leaf, port, extraArgs, accepts, true);
    }

    private static OpensslServer startOn(Path dir, Issued leaf, int port, List<String> extraArgs, int accepts,
                                         boolean rev) throws Exception {
        Path cert = leaf.writeCertificate(dir, "server-" + port + ".pem");
        Path key = TestCertificates.write(dir.resolve("server-" + port + ".key"), leaf.privateKeyTraditionalPem());
        List<String> args = new ArrayList<>();
        if (leaf.chain().size() > 1) {
            Path chain = TestCertificates.write(dir.resolve("chain-" + port + ".pem"),
                    leaf.chainPem().substring(leaf.certificatePem().length()));
            args.addAll(List.of("-cert_chain", chain.toString()));
        }
        args.addAll(extraArgs);
        return launch(cert, key, port, args, accepts, rev);
    }

    /** As {@link #startOn(Path, Issued, int, List, int)}, with the certificate and key in PEM files. */
    public static OpensslServer startOn(Path cert, Path key, int port, List<String> extraArgs, int accepts)
            throws Exception {
        return launch(cert, key, port, extraArgs, accepts, true);
    }

    private static OpensslServer launch(Path cert, Path key, int port, List<String> extraArgs, int accepts,
                                        boolean rev) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", cert.toString(), "-key", key.toString(), "-tlsextdebug"));
        if (rev) {
            cmd.add("-rev");
        }
        if (accepts > 0) {
            cmd.addAll(List.of("-naccept", Integer.toString(accepts)));
        }
        cmd.addAll(extraArgs);
        OpensslServer s = new OpensslServer(new ProcessBuilder(cmd).redirectErrorStream(true).start(), port);
        boolean up;
        try {
            up = s.accepting.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            up = false;
        }
        if (!up) {
            s.close();
            return null;
        }
        return s;
    }

    private OpensslServer(Process process, int port) {
        this.process = process;
        this.port = port;
        Thread reader = new Thread(this::pump, "openssl-output-" + port);
        reader.setDaemon(true);
        reader.start();
    }

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

    public int port() {
        return port;
    }

    /** Writes one line to the server's standard input (interactive mode). */
    public void command(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
    }

    /** Waits (at most 10 s) for the server to end after its connections; returns everything it printed. */
    public List<String> awaitOutput() throws Exception {
        exited.get(10, TimeUnit.SECONDS);
        return output();
    }

    /** Waits (at most 10 s) for a line containing {@code text}; returns it. */
    public String awaitLine(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (output) {
            while (true) {
                for (String l : output) {
                    if (l.contains(text)) {
                        return l;
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || exited.isDone()) {
                    throw new AssertionError("openssl never printed \"" + text + "\": " + output);
                }
                output.wait(left);
            }
        }
    }

    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** The SNI the (first) client sent, decoded from the {@code server name} extension dump; null when none. */
    public static String sniSeen(List<String> lines) {
        byte[] ext = extensionSeen(lines, "server name");
        if (ext == null) {
            return null;
        }
        // server_name_list length (2), name_type (1), host_name length (2), host_name
        int nameLength = ((ext[3] & 0xff) << 8) | (ext[4] & 0xff);
        return new String(ext, 5, nameLength, StandardCharsets.US_ASCII);
    }

    /**
     * The body of the (first) client's extension {@code name} (as {@code -tlsextdebug} names it, e.g.
     * {@code "supported_groups"}, {@code "key share"}) from its hex dump, or null when the client sent none.
     */
    public static byte[] extensionSeen(List<String> lines, String name) {
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("TLS client extension \"" + name + "\"")) {
                continue;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
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

    /** The client certificate subject the server printed ({@code CN=...}), or null. */
    public static String peerSubject(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("Peer certificate: "))
                .map(l -> l.substring("Peer certificate: ".length()).replace(" = ", "="))
                .findFirst().orElse(null);
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

}
