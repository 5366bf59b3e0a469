/// Errors of `HybridCoder`.
public enum HybridCodingError: Error, Equatable, CustomStringConvertible {
    /// The payload is not one this coder writes (a bad header, choice, length or message).
    case corruptPayload(String)
    /// The payload has a version this build does not know.
    case unsupportedVersion(Int)
    /// The coder was configured with values it cannot use.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .corruptPayload(let what): return "corrupted .vdmz file: the hybrid payload is damaged (\(what))"
        case .unsupportedVersion(let v): return "hybrid payload version \(v) is not supported by this build"
        case .invalidConfiguration(let what): return "invalid hybrid coder configuration: \(what)"
        }
    }
}
