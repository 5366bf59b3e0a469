import BitsBack
import Codec
import Imaging
import ContainerFormat
/// A command-line failure with a one-line message (printed as "vdmz: <message>").
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// One line describing any error, without type names.
func errorLine(_ error: Error) -> String {
    var text = String(describing: error)
    // Size limits can be raised: say how.
    if case .tooLarge? = error as? PNGError { text += " (raise it with --max-pixels N)" }
    if case .limitExceeded? = error as? ContainerError, !text.contains("side plane"), !text.contains(" images (limit") {
        text += " (raise it with --max-pixels N)"
    }
    if case .workLimitExceeded? = error as? ContainerError { text += " (raise it with --max-work N)" }
    if case .workLimitExceeded? = error as? BitsBackError { text += " (raise it with --max-work N)" }
    if case .checkpointMismatch? = error as? CoderFactoryError { text += "; pass that checkpoint with --model PATH" }
    return text.split(whereSeparator: \.isNewline).joined(separator: " ")
}
