#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard streams and terminal checks.
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Writes a line to standard error.
    static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Progress on standard error, shown only when it is a terminal and not quiet.
struct ProgressReporter {
    let label: String
    let enabled: Bool

    init(label: String, quiet: Bool) {
        self.label = label
        enabled = !quiet && Terminal.standardErrorIsTerminal
    }

    /// A handler that redraws "label NN%" in place.
    var handler: ((Double) -> Void)? {
        guard enabled else { return nil }
        let label = label
        return { fraction in
            let percent = Int((min(max(fraction, 0), 1) * 100).rounded(.down))
            let line = "\r\(label) \(percent)%"
            _ = line.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
        }
    }

    /// Erases the progress line.
    func finish() {
        guard enabled else { return }
        let clear = "\r\u{1B}[K"
        _ = clear.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
    }
}
