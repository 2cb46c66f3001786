package dev.caravan.tls;

import dev.caravan.testing.RunningGateway;
import dev.caravan.tls.TestCertificates.Issued;
import dev.caravan.tls.TestCertificates.KeyType;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code protocol=h2}: HTTP/2 over TLS to a gRPC backend, negotiated by ALPN and verified against the backend CA
 * bundle; a backend whose certificate is not trusted is UNAVAILABLE to the client, not an HTML page.
 */
class GrpcOverTlsTest {

    @TempDir
    Path temp;

    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("secure.Echo/Say")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    @Test
    void aTlsGrpcBackendIsReachedOverH2AndAnUntrustedOneIsUnavailable() throws Exception {
        Issued localhost = TestCertificates.issue(0x6001, KeyType.EC, "localhost");
        localhost.writeTo(temp, "backend");
        Server backend = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .useTransportSecurity(temp.resolve("backend.crt").toFile(), temp.resolve("backend.key").toFile())
                .addService(ServerServiceDefinition.builder("secure.Echo")
                        .addMethod(ECHO, ServerCalls.asyncUnaryCall((text, response) -> {
                            response.onNext("over tls: " + text);
                            response.onCompleted();
                        })).build())
                .build().start();
        Path bundle = temp.resolve("cas.pem");
        Files.writeString(bundle, localhost.certificatePem());
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(routes.resolve("grpc.yaml"), """
                - route:
                    id: secure
                    from:
                      uri: caravan:http
                      parameters:
                        path: /secure.Echo/
                      steps:
                        - to: "caravan-forward:https://localhost:%d?protocol=h2"
                """.formatted(backend.getPort()));
        ManagedChannel channel = null;
        try (RunningGateway trusting = RunningGateway.start(routes, Map.of("caravan.http.h2c", "true",
                "caravan.https.enabled", "false", "caravan.backend.tls.trust", bundle.toString()));
             RunningGateway untrusting = RunningGateway.start(routes, Map.of("caravan.http.h2c", "true",
                     "caravan.https.enabled", "false"))) {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", trusting.port()).usePlaintext().build();
            assertEquals("over tls: hi", ClientCalls.blockingUnaryCall(channel, ECHO,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"));
            ManagedChannel other = NettyChannelBuilder.forAddress("127.0.0.1", untrusting.port()).usePlaintext().build();
            try {
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(other, ECHO,
                                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"));
                assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
            } finally {
                other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
