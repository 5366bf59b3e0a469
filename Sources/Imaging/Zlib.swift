import CPNG

/// Errors of the zlib helpers.
public enum ZlibError: Error, Equatable, CustomStringConvertible {
    /// The stream is corrupt, or does not inflate to exactly the expected number of bytes.
    case corruptStream
    case outOfMemory

    public var description: String {
        switch self {
        case .corruptStream: return "corrupt zlib stream"
        case .outOfMemory: return "out of memory"
        }
    }
}

/// zlib (through the CPNG target, the zlib libpng links against): used for side planes and for the
/// stored pixel coder.
public enum Zlib {
    /// Deflate never compresses more than 1032:1 (a 258-byte match in two bits at best), so a zlib
    /// stream of n bytes inflates to at most 1032·n bytes: parsers bound a declared size with it.
    public static let maxExpansion = 1032

    /// Compresses with `compress2` at level 9.
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var outputSize = 0
        let status = bytes.withUnsafeBufferPointer { cpng_deflate($0.baseAddress, $0.count, &output, &outputSize) }
        defer { cpng_free(output) }
        guard Int(status) == CPNG_OK, let output else {
            throw Int(status) == CPNG_ERR_NO_MEMORY ? ZlibError.outOfMemory : ZlibError.corruptStream
        }
        return Array(UnsafeBufferPointer(start: output, count: outputSize))
    }

    /// Inflates a stream that must decompress to exactly `count` bytes and end exactly at the end of
    /// `bytes`. The caller checks `count` against its limits first: it is allocated up front.
    public static func decompress(_ bytes: [UInt8], count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw ZlibError.corruptStream }
        var output = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { cpng_inflate(input.baseAddress, input.count, $0.baseAddress, count) }
        }
        guard Int(status) == CPNG_OK else { throw ZlibError.corruptStream }
        return output
    }

    /// zlib's CRC-32 of `bytes`.
    public static func crc32(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { cpng_crc32(crc, $0.baseAddress, $0.count) }
    }
}
