/// A command-line failure with a one-line message (printed as "vdmz: <message>").
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// One line describing any error, without type names.
func errorLine(_ error: Error) -> String {
    let text = String(describing: error)
    return text.split(whereSeparator: \.isNewline).joined(separator: " ")
}
