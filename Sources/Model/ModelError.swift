/// Errors of checkpoint loading and model evaluation; every message names the file or value at fault.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The file is not a well-formed safetensors file.
    case malformedSafeTensors(path: String, reason: String)
    /// The checkpoint's metadata is missing, malformed, or names another architecture.
    case invalidMetadata(path: String, reason: String)
    /// A tensor the architecture needs is missing.
    case missingTensor(path: String, name: String)
    /// A tensor has the wrong shape or data type for the architecture in the metadata.
    case tensorMismatch(path: String, name: String, expected: String, found: String)
    /// No default checkpoint ships with this build.
    case defaultCheckpointUnavailable(reason: String)
    /// An argument is outside what the model accepts (image size, channel count, step count…).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): return "cannot read \(path): \(reason)"
        case let .malformedSafeTensors(path, reason): return "\(path) is not a valid safetensors file: \(reason)"
        case let .invalidMetadata(path, reason): return "\(path): invalid checkpoint metadata: \(reason)"
        case let .missingTensor(path, name): return "\(path): checkpoint lacks tensor '\(name)'"
        case let .tensorMismatch(path, name, expected, found):
            return "\(path): tensor '\(name)' should be \(expected) but is \(found)"
        case let .defaultCheckpointUnavailable(reason): return "no default checkpoint: \(reason); pass --model PATH"
        case let .invalidArgument(message): return message
        }
    }
}
