#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes the temporary output file when the process is interrupted (SIGINT, SIGTERM, SIGHUP), so
/// that no partial file is left behind; then exits with 128 + signal number.
enum InterruptCleanup {
    /// The temporary file being written (a malloc'ed C string), or nil. Read by the signal handler.
    nonisolated(unsafe) private static var pending: UnsafeMutablePointer<CChar>? = nil
    nonisolated(unsafe) private static var installed = false

    /// Registers `path` as the file to remove on interruption (nil: none).
    static func track(_ path: String?) {
        if !installed {
            installed = true
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                signal(signalNumber) { received in
                    if let path = InterruptCleanup.pending { unlink(path) }
                    _exit(128 + received)
                }
            }
        }
        let old = pending
        pending = path.flatMap { strdup($0) }
        free(old)
    }
}
