#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard streams and terminal checks.
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Writes a line to standard error, with control and bidirectional characters (which a file or
    /// entry name may hold) escaped as `\u{…}`: a name cannot move the cursor, recolour the terminal or
    /// start a new line.
    static func printError(_ line: String) {
        var safe = ""
        for scalar in line.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x061C || value == 0x200E || value == 0x200F
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
            {
                safe += "\\u{\(String(value, radix: 16, uppercase: true))}"
            } else {
                safe.unicodeScalars.append(scalar)
            }
        }
        let bytes = Array((safe + "\n").utf8)
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

    /// A handler that redraws "label NN%  ETA m:ss" in place (the fraction is of the work: pixels × steps),
    /// at most once per percent and second.
    var handler: ((Double) -> Void)? {
        guard enabled else { return nil }
        let label = label
        let start = Self.now()
        var shown = ""
        return { fraction in
            let done = min(max(fraction, 0), 1)
            let percent = Int((done * 100).rounded(.down))
            let elapsed = Self.now() - start
            var eta = ""
            if done >= 0.02 && done < 1 {
                let left = Int((elapsed * (1 - done) / done).rounded())
                let seconds = left % 60
                eta = "  ETA \(left / 60):\(seconds < 10 ? "0" : "")\(seconds)"
            }
            let line = "\r\(label) \(percent)%\(eta)\u{1B}[K"
            guard line != shown else { return }
            shown = line
            _ = line.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
        }
    }

    /// Seconds on a monotonic clock.
    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Erases the progress line.
    func finish() {
        guard enabled else { return }
        let clear = "\r\u{1B}[K"
        _ = clear.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
    }
}
