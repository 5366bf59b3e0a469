/// The rule for the name a dataset archive restores an image under, checked on the name's UTF-8 bytes
/// by `compress` (before it writes an archive) and by `decompress` (before it writes a file), so that an
/// archive can only ever name a file directly inside the chosen folder.
///
/// A valid name is 1 … `Container.maxNameBytes` bytes of valid UTF-8, is not "." or "..", and contains
/// none of: "/" (U+002F), "\\" (U+005C), NUL; the C0 controls U+0001–U+001F (newline, ESC, …), DEL
/// U+007F and the C1 controls U+0080–U+009F; the bidirectional controls U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069. The check is on bytes and scalars, never on Swift `Character`s: a "/"
/// followed by a combining mark is one `Character` that is not "/", while the file system sees a "/".
public enum EntryName {
    /// Why `name` is not a valid entry name, or nil when it is.
    public static func problem(in name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "an empty name" }
        if bytes.count > Container.maxNameBytes { return "a name longer than \(Container.maxNameBytes) bytes" }
        if bytes == [0x2E] || bytes == [0x2E, 0x2E] { return "\"\(name)\" is not a file name" }
        if bytes.contains(0x2F) || bytes.contains(0x5C) { return "a path separator (\"/\" or \"\\\")" }
        for scalar in name.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) { return "a control character" }
            if isBidiControl(value) { return "a bidirectional control character" }
        }
        return nil
    }

    /// Whether `name` follows the rule.
    public static func isValid(_ name: String) -> Bool { problem(in: name) == nil }

    /// U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069. (A `String` is valid UTF-8 by
    /// construction; names parsed from containers are validated as UTF-8 before they become one.)
    static func isBidiControl(_ value: UInt32) -> Bool {
        value == 0x061C || value == 0x200E || value == 0x200F || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value)
    }

    /// `name` made safe to print on one line of a terminal: control and bidirectional characters, and
    /// backslashes and double quotes, as Swift-style escapes (`\u{1B}`), everything else as is.
    public static func printable(_ name: String) -> String {
        var text = ""
        for scalar in name.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) || isBidiControl(value) {
                text += "\\u{\(String(value, radix: 16, uppercase: true))}"
            } else if scalar == "\\" || scalar == "\"" {
                text += "\\" + String(scalar)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}
