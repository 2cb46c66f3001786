package dev.caravan.grpc;

/**
 * gRPC status codes, and the one Caravan's own failures are given (a gRPC client reads {@code grpc-status}, not an
 * HTTP status or an error page). Based on gRPC's "HTTP to gRPC status code mapping", made more precise where Caravan
 * knows the cause: a gateway timeout is a missed deadline, a limit is an exhausted resource, a denial is a denial.
 */
public final class GrpcStatus {

    public static final int OK = 0, UNKNOWN = 2, INVALID_ARGUMENT = 3, DEADLINE_EXCEEDED = 4, PERMISSION_DENIED = 7,
            RESOURCE_EXHAUSTED = 8, UNIMPLEMENTED = 12, INTERNAL = 13, UNAVAILABLE = 14, UNAUTHENTICATED = 16;

    private GrpcStatus() {
    }

    /** The gRPC status for a failure Caravan answers with {@code httpStatus}. */
    public static int forHttpStatus(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> INTERNAL; // a request Caravan could not read: gRPC's own mapping
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED; // no route for this service or method
            case 408, 504 -> DEADLINE_EXCEEDED;
            case 413, 414, 429, 431 -> RESOURCE_EXHAUSTED;
            case 501 -> UNIMPLEMENTED;
            case 502, 503 -> UNAVAILABLE;
            case 500 -> INTERNAL;
            default -> UNKNOWN;
        };
    }

    /** True for a gRPC request or response content type ({@code application/grpc}, {@code application/grpc+proto}). */
    public static boolean isGrpc(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16)
                && (contentType.length() == 16 || contentType.charAt(16) == '+' || contentType.charAt(16) == ';');
    }

    /** {@code grpc-message} is percent-encoded UTF-8 (gRPC over HTTP/2: space to tilde except %). */
    public static String encodeMessage(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (byte b : message.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
