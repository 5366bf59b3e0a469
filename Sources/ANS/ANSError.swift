/// Errors of the rANS stack coder. Every bad input (invalid distribution parameters, a symbol that the
/// distribution cannot code, corrupt or truncated serialized bytes) is reported as one of these; the
/// coder never traps on user-reachable input.
public enum ANSError: Error, Equatable, CustomStringConvertible {
    /// A distribution parameter is invalid (the message names it).
    case invalidParameter(String)
    /// Symbol `value` at position `index` has frequency 0 (or lies outside the alphabet) and cannot be coded.
    case unencodableSymbol(index: Int, value: Int)
    /// Buffers passed to one call have inconsistent sizes.
    case sizeMismatch(String)
    /// The serialized bytes end early.
    case truncated(needed: Int, available: Int)
    /// The serialized bytes are not a valid message (bad version, checksum, lane count, state, …).
    case corrupt(String)

    public var description: String {
        switch self {
        case .invalidParameter(let what): return "ANS: invalid parameter: \(what)"
        case .unencodableSymbol(let index, let value):
            return "ANS: symbol \(value) at index \(index) has zero probability under its distribution"
        case .sizeMismatch(let what): return "ANS: size mismatch: \(what)"
        case .truncated(let needed, let available):
            return "ANS: serialized message truncated (needed \(needed) bytes, have \(available))"
        case .corrupt(let what): return "ANS: corrupt serialized message: \(what)"
        }
    }
}
