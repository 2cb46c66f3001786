package dev.caravan.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A hello service for tests, defined by hand (no protoc): UTF-8 strings as messages. {@code SayHello} greets,
 * {@code Count} streams "1".."n", {@code Fail} answers INVALID_ARGUMENT with a message, {@code Slow} answers after
 * the number of milliseconds it is given.
 */
final class Greeter {

    static final String SERVICE = "hello.Greeter";

    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<String, String> SAY_HELLO = unary("SayHello");
    static final MethodDescriptor<String, String> FAIL = unary("Fail");
    static final MethodDescriptor<String, String> SLOW = unary("Slow");
    /** Client streaming: the total length of the messages received. */
    static final MethodDescriptor<String, String> TOTAL = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Total"))
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    /** Server streaming: n messages of 64 KiB. */
    static final MethodDescriptor<String, String> BLOBS = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Blobs"))
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    static final MethodDescriptor<String, String> COUNT = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Count"))
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    private static MethodDescriptor<String, String> unary(String name) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    private Greeter() {
    }

    static ServerServiceDefinition service(ScheduledExecutorService timer) {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(SAY_HELLO, ServerCalls.asyncUnaryCall((name, response) -> {
                    response.onNext("hello " + name);
                    response.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((name, response) ->
                        response.onError(Status.INVALID_ARGUMENT.withDescription("no such name: " + name)
                                .asRuntimeException())))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((millis, response) ->
                        timer.schedule(() -> {
                            response.onNext("slept " + millis);
                            response.onCompleted();
                        }, Long.parseLong(millis), TimeUnit.MILLISECONDS)))
                .addMethod(TOTAL, ServerCalls.asyncClientStreamingCall((io.grpc.stub.StreamObserver<String> reply) ->
                        new io.grpc.stub.StreamObserver<String>() {
                    private long total;

                    @Override
                    public void onNext(String message) {
                        total += message.length();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        reply.onNext(Long.toString(total));
                        reply.onCompleted();
                    }
                }))
                .addMethod(BLOBS, ServerCalls.asyncServerStreamingCall((n, response) -> {
                    String blob = "b".repeat(65536);
                    for (int i = 0; i < Integer.parseInt(n); i++) {
                        response.onNext(blob);
                    }
                    response.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((n, response) -> {
                    for (int i = 1; i <= Integer.parseInt(n); i++) {
                        response.onNext(Integer.toString(i));
                    }
                    response.onCompleted();
                }))
                .build();
    }

    static ScheduledExecutorService timer() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "greeter-timer");
            t.setDaemon(true);
            return t;
        });
    }
}
