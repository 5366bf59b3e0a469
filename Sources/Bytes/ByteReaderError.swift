/// Why `ByteReader` could not read a value. Each format's parser maps these onto its own error type in
/// one place (`ContainerError`, `BitsBackError`, `ANSError`), so the reader knows nothing of formats.
public enum ByteReaderError: Error, Equatable, Sendable {
    /// The read needs more bytes than remain.
    case truncated
    /// A LEB128 varint runs past 10 bytes or past 64 bits.
    case varintTooLong
    /// A varint read with a limit (`ByteReader.readVarint(atMost:_:)`) is larger than the limit.
    case valueAboveLimit(field: String, value: UInt64, limit: Int)

    /// The text the container format has always used for these cases.
    public var detail: String {
        switch self {
        case .truncated: return "truncated"
        case .varintTooLong: return "varint longer than 64 bits"
        case .valueAboveLimit(let field, let value, let limit): return "\(field) \(value) above \(limit)"
        }
    }
}
