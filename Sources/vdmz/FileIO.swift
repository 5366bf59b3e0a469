#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Imaging

/// File access for the command-line tool: whole-file reads, standard streams, and atomic writes that
/// never leave a partial file behind and never replace an existing file unless asked to.
enum FileIO {
    /// The text of the last system error.
    static var systemError: String { String(cString: strerror(errno)) }

    /// Reads the whole file at `path`, or standard input for "-", at most `ImageLimits.maxInputBytes`.
    /// When `magic` is given, its length is read first and, if those bytes differ, only they are
    /// returned (the parser then names the wrong format): endless input of another kind is never read.
    /// A regular file is read into a buffer of exactly its size.
    static func readFile(_ path: String, magic: [UInt8]? = nil) throws -> [UInt8] {
        if path == "-" { return try readAll(descriptor: STDIN_FILENO, name: "standard input", sizeHint: 0, magic: magic) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CLIError(systemError) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw CLIError(systemError) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw CLIError("not a regular file") }
        guard Int(info.st_size) <= ImageLimits.maxInputBytes else { throw tooLarge }
        return try readAll(descriptor: descriptor, name: path, sizeHint: Int(info.st_size), magic: magic)
    }

    private static var tooLarge: CLIError { CLIError("input larger than the limit of \(ImageLimits.maxInputBytes) bytes") }

    private static func readAll(descriptor: Int32, name: String, sizeHint: Int, magic: [UInt8]?) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sizeHint + 1)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var wanted = magic?.count ?? buffer.count
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, min(wanted, $0.count)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError("\(name): \(systemError)")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
            guard bytes.count <= ImageLimits.maxInputBytes else { throw tooLarge }
            if let magic, wanted != buffer.count {
                wanted -= count
                if wanted == 0 {
                    guard bytes == magic else { return bytes }
                    wanted = buffer.count
                }
            }
        }
    }

    /// Writes `bytes` to standard output.
    static func writeStandardOutput(_ bytes: [UInt8]) throws {
        try writeAll(bytes, to: STDOUT_FILENO, name: "standard output")
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, name: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CLIError("\(name): \(systemError)")
                }
                offset += written
            }
        }
    }

    /// Whether something exists at `path` (a dangling symbolic link counts).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a character device or a FIFO (e.g. /dev/null): written in place, never replaced.
    static func isStream(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFCHR || (info.st_mode & S_IFMT) == S_IFIFO
    }

    /// Throws unless `path` may receive an output: absent, a stream (`isStream`), or — with `overwrite`
    /// — a regular file or a symbolic link (which is replaced, not followed). Devices, directories and
    /// other special files are never replaced.
    static func checkDestination(_ path: String, overwrite: Bool) throws {
        if isStream(path) { return }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { throw CLIError("\(path) is a directory") }
        guard overwrite else { throw CLIError("\(path) already exists (use --force to overwrite)") }
        guard type == S_IFREG || type == S_IFLNK else { throw CLIError("\(path) is not a regular file; not replacing it") }
    }

    /// Whether two paths name the same existing file.
    static func sameFile(_ first: String, _ second: String) -> Bool {
        var a = stat(), b = stat()
        guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    /// Permission bits for a new output: those of `input` (without execute bits), or 0666 less the
    /// umask when the input is standard input.
    static func outputMode(copying input: String) -> mode_t {
        var info = stat()
        if input != "-", stat(input, &info) == 0 { return info.st_mode & 0o666 }
        let mask = umask(0)
        umask(mask)
        return 0o666 & ~mask
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed to disk,
    /// then renamed (with `overwrite`) or hard-linked into place (without: fails if `path` exists).
    /// On any error the temporary file is removed and `path` is untouched.
    /// A character device or FIFO (see `isStream`) is written in place instead.
    static func writeAtomically(_ bytes: [UInt8], to path: String, overwrite: Bool, mode: mode_t) throws {
        try checkDestination(path, overwrite: overwrite)
        if isStream(path) {
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw CLIError("\(path): \(systemError)") }
            defer { close(descriptor) }
            try writeAll(bytes, to: descriptor, name: path)
            return
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        var template = Array("\(directory.isEmpty ? "/" : directory)/.vdmz-tmp-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw CLIError("cannot write to \(directory): \(systemError)") }
        let temporary = String(cString: template)
        InterruptCleanup.track(temporary)
        var committed = false
        defer {
            if !committed { unlink(temporary) }
            InterruptCleanup.untrack([temporary])
        }
        do {
            try writeAll(bytes, to: descriptor, name: path)
            guard fchmod(descriptor, mode) == 0, fsync(descriptor) == 0 else { throw CLIError("\(path): \(systemError)") }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw CLIError("\(path): \(systemError)") }
        if overwrite {
            guard rename(temporary, path) == 0 else { throw CLIError("\(path): \(systemError)") }
        } else if link(temporary, path) == 0 {
            unlink(temporary)
        } else if errno == EEXIST {
            throw CLIError("\(path) already exists (use --force to overwrite)")
        } else if errno == EPERM || errno == EOPNOTSUPP || errno == EXDEV {
            // No hard links on this file system: check, then rename (a narrow race remains).
            guard !exists(path) else { throw CLIError("\(path) already exists (use --force to overwrite)") }
            guard rename(temporary, path) == 0 else { throw CLIError("\(path): \(systemError)") }
        } else {
            throw CLIError("\(path): \(systemError)")
        }
        committed = true
    }

    /// Writes every file of `files` directly into `directory`, all or nothing: each is written into a
    /// fresh temporary folder inside `directory` (mode 0700) and flushed, then linked into place (renamed
    /// with `overwrite`) one by one; if anything fails — a write, an existing file, a signal — every file
    /// already placed is removed again and the temporary folder with it, and the error is thrown.
    /// (With `overwrite`, files already renamed into place when a later rename fails stay: they are
    /// complete and verified, and what they replaced is gone.)
    /// Names must follow `EntryName`'s rule (one path component, checked by the caller), so each file
    /// lands directly in `directory`; `link`/`rename` replace a symbolic link there, never follow it.
    static func writeAllOrNothing(
        _ files: [(name: String, bytes: [UInt8])], into directory: String, overwrite: Bool,
        mode: mode_t
    ) throws {
        let root = directory.isEmpty ? "." : directory
        var template = Array("\(root.hasSuffix("/") ? root : root + "/").vdmz-tmp-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw CLIError("cannot write to \(root): \(systemError)")
        }
        let staging = String(cString: template)
        InterruptCleanup.track(staging)
        var staged: [String] = [], placed: [String] = []
        var committed = false
        defer {
            if !committed && !overwrite { for path in placed { unlink(path) } }
            for path in staged { unlink(path) }
            rmdir(staging)
            InterruptCleanup.untrack(staged + placed + [staging])
        }
        for file in files {
            let path = staging + "/" + file.name
            InterruptCleanup.track(path)
            staged.append(path)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw CLIError("\(join(root, file.name)): \(systemError)") }
            do {
                try writeAll(file.bytes, to: descriptor, name: join(root, file.name))
                guard fchmod(descriptor, mode) == 0, fsync(descriptor) == 0 else {
                    throw CLIError("\(join(root, file.name)): \(systemError)")
                }
            } catch {
                close(descriptor)
                throw error
            }
            guard close(descriptor) == 0 else { throw CLIError("\(join(root, file.name)): \(systemError)") }
        }
        for (file, source) in zip(files, staged) {
            let destination = join(root, file.name)
            if overwrite {
                guard rename(source, destination) == 0 else { throw CLIError("\(destination): \(systemError)") }
            } else if link(source, destination) != 0 {
                if errno == EEXIST { throw CLIError("\(destination) already exists (use --force to overwrite)") }
                guard errno == EPERM || errno == EOPNOTSUPP || errno == EXDEV else {
                    throw CLIError("\(destination): \(systemError)")
                }
                // No hard links on this file system: check, then rename (a narrow race remains).
                guard !exists(destination) else { throw CLIError("\(destination) already exists (use --force to overwrite)") }
                guard rename(source, destination) == 0 else { throw CLIError("\(destination): \(systemError)") }
            }
            // Tracked before the next step, so that a signal from here on removes it too.
            InterruptCleanup.track(destination)
            placed.append(destination)
        }
        committed = true
    }

    /// `directory/name`.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
