package dev.caravan.limits;

import java.util.Locale;

/** A number of bytes as people write it in configuration: {@code 1048576}, {@code 512k}, {@code 10m}, {@code 1g}. */
public final class ByteSize {

    private ByteSize() {
    }

    /** Parses a size (binary multiples: k = 1024); {@code name} is used in the error message. */
    public static long parse(String name, String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (text.endsWith("k") || text.endsWith("m") || text.endsWith("g")) {
            unit = switch (text.charAt(text.length() - 1)) {
                case 'k' -> 1024L;
                case 'm' -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            text = text.substring(0, text.length() - 1).trim();
        }
        try {
            long number = Long.parseLong(text);
            if (number < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(number, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(name + " must be a size such as 1048576, 512k, 10m or 1g, was '"
                    + value + "'");
        }
    }
}
