/// Errors of the bits-back coder.
public enum BitsBackError: Error, Equatable, CustomStringConvertible {
    /// The payload's chain parameters are unreadable or out of range.
    case invalidParameters(String)
    /// The coder was configured with values it cannot use.
    case invalidConfiguration(String)
    /// The payload did not decode to the shapes the container lists (damaged file).
    case corruptPayload(String)
    /// The payload's tiles demand more decoding work (pixel-steps) than `ImageLimits` allow its size.
    case workLimitExceeded(work: Int, allowed: Int)
    /// The model's noise schedule is not strictly increasing at this step count.
    case degenerateSchedule(steps: Int)

    public var description: String {
        switch self {
        case .invalidParameters(let what): return "invalid chain parameters in the payload: \(what)"
        case .invalidConfiguration(let what): return "invalid coder configuration: \(what)"
        case .corruptPayload(let what): return "corrupt payload: \(what)"
        case let .workLimitExceeded(work, allowed):
            return "decoding would take \(work) pixel-steps, more than the \(allowed) allowed for a payload of this size"
        case .degenerateSchedule(let steps):
            return "the model's noise schedule is not strictly increasing at \(steps) steps; use fewer steps"
        }
    }
}
