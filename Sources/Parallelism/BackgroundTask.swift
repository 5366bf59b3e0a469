import Foundation

/// Work run on a thread of its own while the caller goes on; `wait()` returns when it has finished, and
/// everything the work wrote is then visible to the waiting thread.
///
/// The thread has the main thread's stack size (8 MiB), so any of the project's code may run on it.
public final class BackgroundTask: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var hasFinished = false

    /// Starts `work` on a new thread.
    public init(_ work: @escaping () -> Void) {
        let thread = Thread { [finished] in
            work()
            finished.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Blocks until the work has finished; returns at once on every later call.
    public func wait() {
        lock.lock()
        defer { lock.unlock() }
        if !hasFinished {
            finished.wait()
            hasFinished = true
        }
    }
}
