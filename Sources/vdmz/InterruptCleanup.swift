#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signal handling of the command-line tool (`install`, at start-up), so that no partial output is ever
/// left behind:
/// - SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the outputs being written (`track`) and exit with
///   128 + the signal number. A signal that the parent set to be ignored (`nohup`, a shell's `&` for
///   SIGINT) stays ignored: its disposition is inherited, never replaced.
/// - SIGXFSZ (a write beyond the file-size limit, `ulimit -f`) is ignored, so that the write fails with
///   EFBIG and the ordinary error path removes the temporary file and reports it, instead of the
///   signal killing the process with the file left behind.
enum InterruptCleanup {
    /// The signals after which the tracked paths are removed.
    static let cleanupSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    /// The most paths tracked at once (a dataset archive's files are removed by directory otherwise).
    private static let capacity = 1 << 16
    /// Paths to remove, as malloc'ed C strings; `count` of them are live. Read by the signal handler,
    /// changed only with the cleanup signals blocked.
    nonisolated(unsafe) private static var paths = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var count = 0

    /// Installs the handlers; call once at start-up, before any output is written.
    static func install() {
        signal(SIGXFSZ, SIG_IGN)
        for signalNumber in cleanupSignals {
            var old = sigaction()
            guard sigaction(signalNumber, nil, &old) == 0 else { continue }
            #if canImport(Glibc)
                let inherited = old.__sigaction_handler.sa_handler
            #else
                let inherited = old.__sigaction_u.__sa_handler
            #endif
            if let inherited, unsafeBitCast(inherited, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            var action = sigaction()
            #if canImport(Glibc)
                action.__sigaction_handler.sa_handler = handle
            #else
                action.__sigaction_u.__sa_handler = handle
            #endif
            sigemptyset(&action.sa_mask)
            for other in cleanupSignals { sigaddset(&action.sa_mask, other) }
            action.sa_flags = 0
            sigaction(signalNumber, &action, nil)
        }
    }

    /// The handler: removes every tracked path, newest first (files before the folder holding them),
    /// then exits. Only async-signal-safe calls.
    private static let handle: @convention(c) (Int32) -> Void = { received in
        var index = InterruptCleanup.count
        while index > 0 {
            index -= 1
            if let path = InterruptCleanup.paths[index], unlink(path) != 0 { rmdir(path) }
        }
        _exit(128 + received)
    }

    /// Runs `body` with the cleanup signals blocked, so that the handler never sees a half-changed list.
    private static func withSignalsBlocked(_ body: () -> Void) {
        var block = sigset_t(), old = sigset_t()
        sigemptyset(&block)
        for signalNumber in cleanupSignals { sigaddset(&block, signalNumber) }
        sigprocmask(SIG_BLOCK, &block, &old)
        body()
        sigprocmask(SIG_SETMASK, &old, nil)
    }

    /// Registers `path` to be removed on interruption (a file, or an empty folder once its tracked files
    /// are gone). Paths are removed newest first.
    static func track(_ path: String) {
        withSignalsBlocked {
            guard count < capacity else { return }
            paths[count] = strdup(path)
            count += 1
        }
    }

    /// Stops tracking `removed` (committed or already removed), in one pass over the list.
    static func untrack(_ removed: [String]) {
        let set = Set(removed)
        withSignalsBlocked {
            var kept = 0
            for index in 0..<count {
                if let path = paths[index], set.contains(String(cString: path)) {
                    free(path)
                } else {
                    paths[kept] = paths[index]
                    kept += 1
                }
            }
            for index in kept..<count { paths[index] = nil }
            count = kept
        }
    }
}
