/// Errors of `ContextPixelCoder`.
public enum ContextCodingError: Error, Equatable, CustomStringConvertible {
    /// The payload is not one this coder writes (a bad version, mode byte, message or symbol).
    case corruptPayload
    /// The payload has a version this build does not know.
    case unsupportedVersion(Int)

    public var description: String {
        switch self {
        case .corruptPayload: return "corrupted .vdmz file: the context-coder payload is damaged"
        case .unsupportedVersion(let v): return "context-coder payload version \(v) is not supported by this build"
        }
    }
}
