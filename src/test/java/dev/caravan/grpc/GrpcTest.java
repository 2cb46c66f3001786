package dev.caravan.grpc;

import dev.caravan.http.RequestLog;
import dev.caravan.testing.Await;
import dev.caravan.testing.BrokenBackend;
import dev.caravan.testing.RunningGateway;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC end to end with grpc-java on both sides: the client speaks h2c to Caravan, Caravan speaks h2c to the backend
 * ({@code protocol=h2c}, the README's example route). Unary and server-streaming calls, statuses with messages in trailers, and Caravan's own
 * failures as gRPC statuses (backend down, deadline, denial), with grpc-status in the request log.
 */
class GrpcTest {

    private static BrokenBackend dead;
    private static ScheduledExecutorService timer;
    private static Server backend;
    private static RunningGateway gateway;
    private static ManagedChannel channel;
    private static final ConcurrentLinkedQueue<RequestLog> finished = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        timer = Greeter.timer();
        backend = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(Greeter.service(timer)).build().start();
        dead = BrokenBackend.refusing();
        int deadPort = dead.port();
        gateway = RunningGateway.startWithCopies(java.nio.file.Files.createTempDirectory("grpc-routes"), Map.of(
                "greeter.backend", "http://127.0.0.1:" + backend.getPort(),
                "dead.backend", "http://127.0.0.1:" + deadPort,
                "caravan.http.h2c", "true",
                "caravan.tls.certs", java.nio.file.Files.createTempDirectory("grpc-certs").toString()),
                Path.of("docs/examples/grpc.yaml"), Path.of("src/test/resources/routes/grpc/grpc-tests.yaml"));
        gateway.listener("http").onExchangeFinished(e -> finished.add(e.log()));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        gateway.close();
        dead.close();
        backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        timer.shutdownNow();
    }

    private static String call(io.grpc.Channel through, io.grpc.MethodDescriptor<String, String> method, String request) {
        return ClientCalls.blockingUnaryCall(through, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                request);
    }

    private static String metrics() {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void unaryAndServerStreamingCallsGoThrough() {
        assertEquals("hello world", call(channel, Greeter.SAY_HELLO, "world"));
        List<String> counted = new ArrayList<>();
        Iterator<String> stream = ClientCalls.blockingServerStreamingCall(channel, Greeter.COUNT,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "500");
        stream.forEachRemaining(counted::add);
        assertEquals(500, counted.size());
        assertEquals("500", counted.get(499));
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(call(channel, Greeter.SAY_HELLO, "n" + i));
        }
        assertEquals("hello n49", calls.get(49));
    }

    @Test
    void largeStreamsFlowBothWaysWithFlowControl() throws Exception {
        // 16 MiB up in 256 messages, then 16 MiB down: far beyond every window on the way, so both directions
        // only complete if each hop keeps granting window as the next one reads
        java.util.concurrent.CompletableFuture<String> total = new java.util.concurrent.CompletableFuture<>();
        io.grpc.stub.StreamObserver<String> upload = io.grpc.stub.ClientCalls.asyncClientStreamingCall(
                channel.newCall(Greeter.TOTAL, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
                new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        total.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        total.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        String chunk = "u".repeat(65536);
        for (int i = 0; i < 256; i++) {
            upload.onNext(chunk);
        }
        upload.onCompleted();
        assertEquals(Long.toString(256L * 65536), total.get(60, TimeUnit.SECONDS));

        long received = 0;
        Iterator<String> blobs = ClientCalls.blockingServerStreamingCall(channel, Greeter.BLOBS,
                CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), "256");
        while (blobs.hasNext()) {
            received += blobs.next().length();
        }
        assertEquals(256L * 65536, received);
    }

    @Test
    void aStatusAndItsMessageComeBackInTrailers() throws Exception {
        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class,
                () -> call(channel, Greeter.FAIL, "zoë"));
        assertEquals(Status.Code.INVALID_ARGUMENT, failed.getStatus().getCode());
        assertEquals("no such name: zoë", failed.getStatus().getDescription());
        Await.until(() -> finished.stream().anyMatch(l -> l.grpcStatus() == 3 && "HTTP/2".equals(l.protocol())),
                "grpc-status 3 in the request log");
        Await.until(() -> finished.stream().anyMatch(l -> l.grpcStatus() == 0), "grpc-status 0 in the request log");
    }

    @Test
    void aBackendThatIsDownIsUnavailable() throws Exception {
        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class,
                () -> call(channel, Greeter.SAY_HELLO.toBuilder()
                        .setFullMethodName("down.Greeter/SayHello").build(), "x"));
        assertEquals(Status.Code.UNAVAILABLE, failed.getStatus().getCode());
        assertTrue(failed.getStatus().getDescription().contains("502"), failed.getStatus().toString());
        Await.until(() -> finished.stream().anyMatch(l -> l.grpcStatus() == 14 && l.status() == 200),
                "grpc-status 14 in the request log");
        Await.until(() -> metrics().contains("caravan_grpc_calls_total{grpc_status=\"14\",listener=\"http\","
                + "route=\"greeter-down\"}"), "the call counted by its grpc-status in the metrics");
    }

    @Test
    void aGatewayTimeoutIsDeadlineExceededAndSoIsTheClientsOwnDeadline() {
        StatusRuntimeException gatewayTimeout = assertThrows(StatusRuntimeException.class,
                () -> call(channel, Greeter.SLOW.toBuilder().setFullMethodName("impatient.Greeter/Slow").build(), "3000"));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, gatewayTimeout.getStatus().getCode());
        assertTrue(gatewayTimeout.getStatus().getDescription().contains("504"));

        StatusRuntimeException clientDeadline = assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, Greeter.SLOW,
                        CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), "3000"));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, clientDeadline.getStatus().getCode());
        assertEquals("hello after", call(channel, Greeter.SAY_HELLO, "after"), "the connection is still fine");
    }

    @Test
    void anAccessRuleDenialIsPermissionDeniedAndNoRouteIsUnimplemented() {
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
                () -> call(channel, Greeter.SAY_HELLO.toBuilder().setFullMethodName("private.Greeter/SayHello").build(),
                        "x"));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> call(channel, Greeter.SAY_HELLO.toBuilder().setFullMethodName("nowhere.Service/Call").build(),
                        "x"));
        assertEquals(Status.Code.UNIMPLEMENTED, unknown.getStatus().getCode());
    }
}
