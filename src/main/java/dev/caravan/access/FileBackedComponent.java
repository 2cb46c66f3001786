package dev.caravan.access;

import org.apache.camel.support.DefaultComponent;

/**
 * Base of the access components whose steps read files: the component owns their shared, watched copies
 * ({@link WatchedFiles}), so they live as long as the Camel context and survive route reloads.
 */
abstract class FileBackedComponent extends DefaultComponent {

    private final WatchedFiles files;

    FileBackedComponent(String scheme) {
        this.files = new WatchedFiles(scheme + "-files");
    }

    WatchedFiles files() {
        return files;
    }

    /** A required path option, or an error naming it. */
    static java.nio.file.Path requirePath(String value, String option) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(option + ": the path of the file is required");
        }
        return java.nio.file.Path.of(value.trim());
    }

    static long requirePositive(long value, String option) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + ": must be more than 0, was " + value);
        }
        return value;
    }

    @Override
    protected void doStop() throws Exception {
        files.close();
        super.doStop();
    }
}
