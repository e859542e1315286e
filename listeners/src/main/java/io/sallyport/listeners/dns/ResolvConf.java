package io.sallyport.listeners.dns;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code nameserver} lines of a {@code resolv.conf}: the system resolvers queries for other names are
 * forwarded to. Read once at start (never on an event loop).
 */
public final class ResolvConf {

    public static final Path SYSTEM = Path.of("/etc/resolv.conf");
    private static final int DNS_PORT = 53;

    private ResolvConf() {
    }

    /**
     * The name servers listed in {@code file}, in order, on port 53; {@code 127.0.0.1:53} when the file
     * lists none or cannot be read (what the C library does).
     */
    public static List<InetSocketAddress> nameservers(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            lines = List.of();
        }
        List<InetSocketAddress> out = parse(lines);
        return out.isEmpty() ? List.of(new InetSocketAddress(NetUtil.LOCALHOST4, DNS_PORT)) : out;
    }

    static List<InetSocketAddress> parse(List<String> lines) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            int comment = indexOfComment(line);
            if (comment >= 0) {
                line = line.substring(0, comment).strip();
            }
            String[] words = line.split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver")) {
                continue;
            }
            String addr = words[1];
            int zone = addr.indexOf('%');
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(zone < 0 ? addr : addr.substring(0, zone));
            if (bytes == null) {
                continue;
            }
            try {
                out.add(new InetSocketAddress(InetAddress.getByAddress(bytes), DNS_PORT));
            } catch (UnknownHostException e) {
                // cannot happen for a 4- or 16-byte address
            }
        }
        return List.copyOf(out);
    }

    private static int indexOfComment(String line) {
        int hash = line.indexOf('#');
        int semi = line.indexOf(';');
        if (hash < 0) {
            return semi;
        }
        return semi < 0 ? hash : Math.min(hash, semi);
    }
}
