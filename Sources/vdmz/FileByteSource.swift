#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import ContainerFormat

/// A regular file read by offset (`pread`), so that a sharded archive's reader reads only its index
/// and the shards it decodes. The descriptor stays open for the object's lifetime.
final class FileByteSource: ByteSource, @unchecked Sendable {
    private let descriptor: Int32
    let byteCount: Int
    private let path: String

    /// Opens `path`, which must be a regular file.
    init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CLIError(FileIO.systemError) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw CLIError("not a regular file")
        }
        self.descriptor = descriptor
        self.byteCount = Int(info.st_size)
        self.path = path
    }

    deinit { close(descriptor) }

    func bytes(in range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= byteCount else { throw ContainerError.truncated }
        var result = [UInt8](repeating: 0, count: range.count)
        var done = 0
        while done < range.count {
            let count = result.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError("\(path): \(FileIO.systemError)")
            }
            if count == 0 { throw ContainerError.truncated }
            done += count
        }
        return result
    }
}
