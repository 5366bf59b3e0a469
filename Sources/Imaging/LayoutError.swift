/// Why model planes and side planes could not be put back together into an image.
public enum LayoutError: Error, Equatable, CustomStringConvertible {
    case invalidModelImage(String)
    /// The planes contradict each other or the header (a corrupt container, or a wrong decode).
    case inconsistentPlanes(String)

    public var description: String {
        switch self {
        case .invalidModelImage(let message): return "invalid model image: \(message)"
        case .inconsistentPlanes(let message): return "image planes are inconsistent: \(message)"
        }
    }
}
