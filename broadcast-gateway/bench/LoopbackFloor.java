import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The kernel's floor for a broadcast on this machine: what the four socket calls every device costs
 * (the server's send of the update, the device's read, the device's ack send, the server's ack read)
 * take over loopback TCP, without any WebSocket, Java framework or event loop around them, and with
 * no process waiting to be woken (so the figures are a lower bound).
 *
 * <pre>java broadcast-gateway/bench/LoopbackFloor.java [PAIRS] [ROUNDS]</pre>
 *
 * Multiply the per-message sum by the number of devices for the CPU time one broadcast needs at
 * the very least, whoever sends and receives.
 */
public class LoopbackFloor {
    public static void main(String[] args) throws IOException {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (pairs < 1 || pairs > 9000 || rounds < 1) {
            System.err.println("usage: java LoopbackFloor.java [PAIRS 1..9000] [ROUNDS >= 1]");
            System.exit(2);
        }
        SocketChannel[] server = new SocketChannel[pairs];
        SocketChannel[] device = new SocketChannel[pairs];
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), pairs);
            for (int i = 0; i < pairs; i++) {
                device[i] = SocketChannel.open(listener.getLocalAddress());
                server[i] = listener.accept();
                for (SocketChannel ch : new SocketChannel[] {device[i], server[i]}) {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
            }
        }
        // Sizes of a protobuf stage update and an ack in their WebSocket frames.
        ByteBuffer update = ByteBuffer.allocateDirect(64);
        ByteBuffer ack = ByteBuffer.allocateDirect(24);
        ByteBuffer in = ByteBuffer.allocateDirect(4096);
        double[][] perMessageMicros = new double[4][rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (SocketChannel ch : server) {
                ch.write(update.clear());
            }
            long t1 = System.nanoTime();
            for (SocketChannel ch : device) {
                ch.read(in.clear());
            }
            long t2 = System.nanoTime();
            for (SocketChannel ch : device) {
                ch.write(ack.clear());
            }
            long t3 = System.nanoTime();
            for (SocketChannel ch : server) {
                ch.read(in.clear());
            }
            long t4 = System.nanoTime();
            long[] took = {t1 - t0, t2 - t1, t3 - t2, t4 - t3};
            for (int k = 0; k < 4; k++) {
                perMessageMicros[k][r] = took[k] / 1000.0 / pairs;
            }
        }
        String[] names = {"update send", "update read", "ack send", "ack read"};
        double sum = 0;
        System.out.printf("%d loopback TCP pairs, %d rounds; per message, median of rounds (min-max):%n", pairs, rounds);
        for (int k = 0; k < 4; k++) {
            double[] v = perMessageMicros[k].clone();
            Arrays.sort(v);
            double median = v[v.length / 2];
            sum += median;
            System.out.printf("  %-12s %6.1f us  (%.1f-%.1f)%n", names[k], median, v[0], v[v.length - 1]);
        }
        System.out.printf("  %-12s %6.1f us per device: %.0f ms of CPU for 19,500 devices, %.0f ms for 100,000%n",
                "sum", sum, sum * 19_500 / 1000, sum * 100_000 / 1000);
        for (int i = 0; i < pairs; i++) {
            server[i].close();
            device[i].close();
        }
    }
}
